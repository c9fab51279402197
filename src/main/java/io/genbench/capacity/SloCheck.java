package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An SLO judged at one level.
 *
 * @param items one per constraint, in the SLO's order
 */
public record SloCheck(List<Item> items) {
  public SloCheck {
    items = List.copyOf(items);
  }

  /**
   * One constraint at one level.
   *
   * @param observed the level's value, or null when the level has none (a TTFT bound on a level that streamed no
   *     tokens): then it fails, as nothing shows it holds
   */
  public record Item(Constraint constraint, Double observed, boolean pass) {
    /** observed / bound: above 1 fails; infinite when not measured. */
    @JsonIgnore
    public double ratio() {
      if (observed == null) return Double.POSITIVE_INFINITY;
      if (constraint.limit() == 0) return observed == 0 ? 0 : Double.POSITIVE_INFINITY;
      return observed / constraint.limit();
    }

    /** e.g. {@code response_p95<=2s: 2.31 s}, {@code ttft_p99<=500ms: not measured}. */
    public String describe() {
      return constraint + ": " + (observed == null ? "not measured" : constraint.format(observed));
    }
  }

  /** Every constraint holds (true for an empty SLO). */
  @JsonProperty("pass")
  public boolean pass() {
    return items.stream().allMatch(Item::pass);
  }

  /**
   * The constraint that decided: when failing, the failed one furthest over its bound; when passing, the one closest
   * to its bound (the first to break as the rate grows). Empty for an empty SLO.
   */
  @JsonIgnore
  public Optional<Item> binding() {
    return items.stream().filter(i -> pass() || !i.pass()).max(Comparator.comparingDouble(Item::ratio));
  }
}
