package io.genbench.execute;

import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import java.util.List;

/**
 * Runs cases and reports their events. Every case handed in ends with a {@code done} event, after a {@code failed}
 * one if it failed: an executor never throws for a case's failure, so one bad case never stops a sweep.
 */
public interface Executor extends AutoCloseable {

  /** Runs the cases in order; they share a model when the runner grouped them so. */
  void execute(List<TestCase> cases, Settings settings, CaseSink sink);

  /** The CASE object this executor hands its worker for a case, also stored as the {@code case} event. */
  default com.fasterxml.jackson.databind.node.ObjectNode spec(TestCase c, Settings settings) {
    return WorkerCase.of(c, settings, false, null, null, backend());
  }

  /**
   * Why this backend cannot run a case, known before anything runs (float16 on the CPU backend, a model it lacks), or
   * empty when it may run it. Such cases are skipped, not run and failed; a plan of nothing else is refused.
   */
  default java.util.Optional<String> cannotRun(TestCase c) {
    return java.util.Optional.empty();
  }

  /** What this executor reports itself as in results, e.g. {@code onnx-cpu}. */
  String backend();

  @Override
  default void close() {}
}
