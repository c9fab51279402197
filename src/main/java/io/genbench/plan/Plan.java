package io.genbench.plan;

import java.util.List;

/**
 * A test plan: the mode it came from, how to measure, and every case.
 *
 * @param mode the seed mode that generated it, or null for a hand-written plan
 * @param settings measurement settings shared by every case
 * @param cases the cases, ids unique, in run order
 */
public record Plan(Mode mode, Settings settings, List<TestCase> cases) {
  public Plan {
    cases = List.copyOf(cases);
  }

  /** The distinct instance types of the cases, in first-use order. */
  public List<String> instanceTypes() {
    return cases.stream().map(TestCase::instanceType).distinct().toList();
  }
}
