package io.genbench.execute;

import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.plan.Workload;
import io.genbench.wire.WorkerCase;
import java.util.List;

/**
 * Runs cases and reports their events. Every case handed in ends with a {@code done} event, after a {@code failed}
 * one if it failed: an executor never throws for a case's failure, so one bad case never stops a sweep.
 */
public interface Executor extends AutoCloseable {

  /** Runs the cases in order; they share a model when the runner grouped them so. */
  void execute(List<TestCase> cases, Settings settings, CaseSink sink);

  /** The CASE object this executor hands its worker for a case, also stored as the {@code case} event. */
  default WorkerCase spec(TestCase c, Settings settings) {
    return workerCase(c, settings, false, null, null, backend());
  }

  /**
   * The one place a case becomes its CASE object: the plan's {@link TestCase} and the run's {@link Settings}. Both
   * were validated where they entered (the plan parser, the records' constructors), so nothing is checked again here.
   *
   * @param tiny build the architecture's tiny configuration (tests and smoke runs)
   * @param weights local weights path, or null for random weights
   * @param saveImages folder for PNGs, or null
   * @param backend what runs the case: {@code torch}, {@code diffusers} (the worker's two), or the in-JVM backend's name
   */
  static WorkerCase workerCase(TestCase c, Settings s, boolean tiny, String weights, String saveImages, String backend) {
    return new WorkerCase(c.id(), c.model().id(), c.instanceType(), c.precision().label(), c.batchSize(), workload(c.workload()),
        c.knobs().wire(), new WorkerCase.Measure(s.warmupIterations(), s.maxWarmupIterations(), s.maxWarmupS(),
            s.steadyTolerance(), Settings.STEADY_WINDOW, s.minIterations(), s.maxIterations(), s.minDurationS(),
            s.targetCiPct(), s.maxMeasureS(), s.seed()),
        weights, saveImages, tiny, backend);
  }

  private static WorkerCase.Workload workload(Workload w) {
    return switch (w) {
      case Workload.Diffusion d -> new WorkerCase.Diffusion(d.steps(), d.resolution().width(), d.resolution().height(),
          d.frames(), d.guidanceScale(), d.scheduler().label(), d.prompt());
      case Workload.Llm l -> new WorkerCase.Llm(l.promptTokens(), l.outputTokens());
    };
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
