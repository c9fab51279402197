package io.genbench.execute;

import io.genbench.Json;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.Precision;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What each case of a plan is expected to take on this machine, in wall seconds per trial, in parts: worker start,
 * model build, warm-up, measuring and the rest (profiling, FLOP counting, teardown). Used by {@code run --dry-run} (the
 * table, the total, the cost and the machine-hours), by {@code --budget-usd}, by {@code --gpus} placement and by the
 * progress line's ETA.
 *
 * <p>Each case's iteration time comes from, in this order: (1) an earlier successful result of the same case id on the
 * same backend and device; (2) else an earlier result of another case of the same model (and precision, where one
 * exists), scaled by the work of a request (batch × pixels × steps × frames, or tokens); (3) else a {@link CostModel}:
 * for the embedded ONNX backend a few seconds of calibration on this machine, for the PyTorch worker a rate table per
 * GPU class, which is only rough and says so. Warm-up and measured iteration counts follow the run's settings through
 * {@link #counts}, the one place the measurement rules become numbers. Parts a run measured (its worker start, the
 * time around the iterations, from its {@code timing} events) are reused as measured.
 */
public final class Estimator {
  /** Where an estimate's iteration time comes from, best first. */
  public enum Source {
    CASE("earlier run"), MODEL("earlier run of the model, scaled by work"), CALIBRATED("calibrated here, scaled by work"),
    ROUGH("rough: rate table, no earlier run here");

    private final String label;

    Source(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One trial of one case, in seconds.
   *
   * @param from the earlier run (and case) it is taken from, or what the cost model rests on
   * @param earlier the earlier run directory it is taken from, or null
   */
  public record Estimate(String caseId, double startS, double buildS, double warmupS, double measureS, double otherS,
      Source source, String from, Path earlier) {
    public double seconds() {
      return startS + buildS + warmupS + measureS + otherS;
    }
  }

  /** Warm-up and measured iterations the settings' rules would run at one iteration time. */
  public record Counts(int warmup, int measured) {}

  /**
   * The measurement rules of {@code s} as iteration counts, at {@code e2eS} seconds per iteration, with timing that
   * is steady at iteration {@code steadyAfter} (the {@link SteadyState} rule: the iteration completing the first steady
   * window is measured, so {@code steadyAfter − 1} are warm-ups; the minimum and the count and time caps bound them). Measuring runs at least {@code min_iterations}, until {@code min_duration_s},
   * at most {@code max_iterations}. The one function to change when the stopping rules change.
   */
  /** The fewest samples with a distribution-free 95 % interval of the median (the measuring rule waits for it). */
  static final int INTERVAL_SAMPLES = 6;

  public static Counts counts(Settings s, double e2eS, int steadyAfter) {
    double e2e = Math.max(1e-6, e2eS);
    int warm = Math.min(s.maxWarmupIterations(), Math.max(s.warmupIterations(), Math.max(steadyAfter, Settings.STEADY_WINDOW) - 1));
    int byTime = (int) Math.ceil(s.maxWarmupS() / e2e);
    warm = Math.max(s.warmupIterations(), Math.min(warm, byTime));
    int measured = (int) Math.min(s.maxIterations(), Math.max(s.minIterations(), Math.ceil(s.minDurationS() / e2e - 1e-9)));
    // the stopping rule goes on until the median has a 95 % interval (6 samples at least), within max_measure_s; how
    // much further a noisy machine takes it is not known ahead: the estimate assumes a steady median at that point
    int forInterval = (int) Math.min(s.maxIterations(), Math.max(s.minIterations(), Math.min(INTERVAL_SAMPLES,
        Math.floor(s.maxMeasureS() / e2e))));
    return new Counts(warm, Math.max(measured, forInterval));
  }

  /** Where iteration times come from when a case has no earlier run. */
  public interface CostModel {
    /** Seconds of one request of {@code c} (mean e2e). */
    double e2eS(TestCase c);

    /** Seconds to start a worker (process, imports, device). */
    double startS();

    /** Seconds to build {@code c}'s model. */
    double buildS(TestCase c);

    /** Seconds around the iterations of one case (profiling, FLOP counting, CUDA-graph capture, teardown). */
    double otherS(TestCase c, double e2eS);

    /** Iterations until timing is steady on this machine, as far as known: the one completing the steady window (measured) included. */
    int steadyAfter(Settings s);

    Source source();

    /** What the model rests on, for people. */
    String basis();
  }

  private final Plan plan;
  private final String backend;
  private final boolean buildsPerCase;
  private final List<Observed> history;
  private final Supplier<CostModel> fallback;
  private CostModel model;

  /**
   * @param backend the executor's backend ({@code onnx-cpu}, {@code torch}, {@code diffusers}): earlier results of
   *     another backend are not used
   * @param device this machine's device as results name it (a GPU's or the CPU's name), or null to accept any
   * @param earlierRuns run directories to learn from, newest first
   * @param fallback the cost model for cases without an earlier run, built only when one is needed
   */
  public Estimator(Plan plan, String backend, String device, List<Path> earlierRuns, Supplier<CostModel> fallback) {
    this.plan = plan;
    this.backend = backend;
    this.buildsPerCase = backend.startsWith("onnx");
    this.history = read(earlierRuns, backend, device);
    this.fallback = fallback;
  }

  /** Run directories under {@code results/} and beside {@code root} (not {@code root} itself), newest first. */
  public static List<Path> earlierRuns(Path root) {
    List<Path> parents = new ArrayList<>(List.of(Path.of("results")));
    Path parent = root.toAbsolutePath().getParent();
    if (parent != null && !parent.equals(Path.of("results").toAbsolutePath())) parents.add(parent);
    List<Path> runs = new ArrayList<>();
    for (Path p : parents) {
      if (!Files.isDirectory(p)) continue;
      try (Stream<Path> s = Files.list(p)) {
        s.filter(d -> Files.isDirectory(d.resolve("cases")) && !d.toAbsolutePath().equals(root.toAbsolutePath())).forEach(runs::add);
      } catch (IOException e) {
        // nothing to learn from there
      }
    }
    runs.sort(Comparator.comparingLong(Estimator::modified).reversed());
    return runs;
  }

  /**
   * Each case's estimate for one trial, in the order the runner runs them (model groups, each in one worker per
   * trial), less the cases in {@code skip}.
   */
  public Map<String, Estimate> estimates(Set<String> skip) {
    List<TestCase> todo = plan.cases().stream().filter(c -> !skip.contains(c.id())).toList();
    Map<String, Estimate> out = new LinkedHashMap<>();
    for (List<TestCase> group : Runner.groups(todo, false)) {
      Set<String> built = new HashSet<>();
      boolean first = true;
      for (TestCase c : group) {
        boolean builds = buildsPerCase || built.add(c.model().id() + "|" + c.precision() + "|" + c.knobs().attention());
        out.put(c.id(), estimate(c, first, builds));
        first = false;
      }
    }
    return out;
  }

  /** The cost model, if one was needed (a case without an earlier run), else null. */
  public CostModel costModel() {
    return model;
  }

  private CostModel model() {
    if (model == null) model = fallback.get();
    return model;
  }

  private Estimate estimate(TestCase c, boolean first, boolean builds) {
    Settings s = plan.settings();
    Optional<Observed> own = history.stream().filter(o -> o.c().id().equals(c.id())).findFirst();
    if (own.isPresent()) {
      Observed o = own.get();
      Counts n = o.settings().equals(s) ? new Counts(o.warmupN(), o.measureN()) : counts(s, o.e2eS(), o.warmupN() + 1);
      double warm = o.settings().equals(s) && o.warmupN() > 0 ? o.warmupS() : n.warmup() * o.e2eS();
      double start = first ? Optional.ofNullable(o.startS()).orElseGet(() -> startOf(c)) : 0;
      double build = builds ? buildOf(c, o) : 0;
      double other = Optional.ofNullable(o.otherS()).orElseGet(() -> model().otherS(c, o.e2eS()));
      return new Estimate(c.id(), start, build, warm, n.measured() * o.e2eS(), other, Source.CASE, o.run().getFileName().toString(), o.run());
    }
    Optional<Observed> near = nearest(c);
    if (near.isPresent()) {
      Observed o = near.get();
      double e2e = o.e2eS() * scale(c, o);
      Counts n = counts(s, e2e, o.warmupN() + 1);
      double start = first ? Optional.ofNullable(o.startS()).orElseGet(() -> startOf(c)) : 0;
      double other = Optional.ofNullable(o.otherS()).orElseGet(() -> model().otherS(c, e2e));
      return new Estimate(c.id(), start, builds ? buildOf(c, o) : 0, n.warmup() * e2e, n.measured() * e2e, other, Source.MODEL,
          o.run().getFileName() + " " + o.c().id(), o.run());
    }
    CostModel m = model();
    double e2e = m.e2eS(c);
    Counts n = counts(s, e2e, m.steadyAfter(s));
    return new Estimate(c.id(), first ? m.startS() : 0, builds ? m.buildS(c) : 0, n.warmup() * e2e, n.measured() * e2e,
        m.otherS(c, e2e), m.source(), "", null);
  }

  private double startOf(TestCase c) {
    return history.stream().map(Observed::startS).filter(java.util.Objects::nonNull).findFirst().orElseGet(() -> model().startS());
  }

  /** The model's build: the longest any earlier run of it (at this precision) took, which is the one that built it. */
  private double buildOf(TestCase c, Observed fallbackObs) {
    if (buildsPerCase) return fallbackObs.buildS();
    return history.stream().filter(o -> o.c().model().id().equals(c.model().id()) && o.c().precision() == c.precision())
        .mapToDouble(Observed::buildS).max().orElse(fallbackObs.buildS());
  }

  /** The earlier case of the same model closest in work, preferring the same precision. */
  private Optional<Observed> nearest(TestCase c) {
    List<Observed> same = history.stream().filter(o -> o.c().model().id().equals(c.model().id())).toList();
    List<Observed> samePrecision = same.stream().filter(o -> o.c().precision() == c.precision()).toList();
    List<Observed> pool = samePrecision.isEmpty() ? same : samePrecision;
    double w = Math.log(work(c));
    return pool.stream().min(Comparator.comparingDouble(o -> Math.abs(Math.log(work(o.c())) - w)));
  }

  /**
   * How much longer an iteration of {@code c} takes than one of {@code o}: the ratio of their work, to the power fitted
   * through two earlier cases of the model at that precision when there are two of different work (small shapes cost
   * more per pixel than large ones), else 1; times 5 from a half precision to float32 (and 1/5 back) on a GPU.
   */
  private double scale(TestCase c, Observed o) {
    double ratio = work(c) / work(o.c());
    List<Observed> pts = history.stream().filter(p -> p.c().model().id().equals(c.model().id())
        && p.c().precision() == o.c().precision()).toList();
    double alpha = 1;
    Observed lo = pts.stream().min(Comparator.comparingDouble(p -> work(p.c()))).orElse(null);
    Observed hi = pts.stream().max(Comparator.comparingDouble(p -> work(p.c()))).orElse(null);
    if (lo != null && hi != null && work(hi.c()) > 1.5 * work(lo.c())) {
      alpha = Math.log(hi.e2eS() / lo.e2eS()) / Math.log(work(hi.c()) / work(lo.c()));
      alpha = Math.max(0.3, Math.min(1.3, alpha));
    }
    double precision = 1;
    if (!buildsPerCase && c.precision() != o.c().precision()) {
      if (c.precision() == Precision.FLOAT32) precision = 5;
      else if (o.c().precision() == Precision.FLOAT32) precision = 0.2;
    }
    return Math.pow(ratio, alpha) * precision;
  }

  /** The work of one request, relative: batch × pixels × steps × frames for diffusion, batch × tokens for LLMs. */
  public static double work(TestCase c) {
    return switch (c.workload()) {
      case io.genbench.plan.Workload.Llm l -> c.batchSize() * (double) (l.promptTokens() + l.outputTokens());
      case io.genbench.plan.Workload.Diffusion d -> c.batchSize() * Math.max(1, (double) d.resolution().width() * d.resolution().height())
          * d.steps() * (d.frames() == null ? 1 : Math.max(1, d.frames()));
    };
  }

  /**
   * One earlier trial of a case, as measured.
   *
   * @param startS the worker start before it (its worker's first case), else null
   * @param otherS its wall time less start, build, warm-up and measuring (from its {@code timing} event), else null
   */
  record Observed(TestCase c, Path run, Settings settings, double e2eS, int warmupN, double warmupS, int measureN,
      double buildS, Double startS, Double otherS) {}

  private static List<Observed> read(List<Path> runs, String backend, String device) {
    List<Observed> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Path run : runs) {
      Plan earlier;
      try {
        earlier = PlanFile.read(run.resolve(RunDirectory.PLAN));
      } catch (RuntimeException e) {
        continue; // a run without a readable plan teaches nothing
      }
      for (TestCase c : earlier.cases()) {
        if (seen.contains(c.id())) continue;
        observe(run, c, earlier.settings(), backend, device).ifPresent(o -> {
          seen.add(c.id());
          out.add(o);
        });
      }
    }
    return out;
  }

  private static Optional<Observed> observe(Path run, TestCase c, Settings settings, String backend, String device) {
    Path file = run.resolve("cases").resolve(c.id()).resolve(RunDirectory.RESULT);
    if (!Files.isRegularFile(file)) return Optional.empty();
    try {
      var r = Json.MAPPER.readTree(file.toFile());
      if (!"SUCCESS".equals(r.path("status").asText()) || !r.path("inference_time_s").isNumber()) return Optional.empty();
      if (!r.path("backend").asText("").startsWith(backend)) return Optional.empty();
      if (device != null && r.hasNonNull("device") && !r.path("device").asText().equals(device)) return Optional.empty();
      // the first trial's parts, from the raw events
      int warmN = 0;
      double warmS = 0;
      int measureN = 0;
      double measureS = 0;
      double loadS = r.path("model_load_s").asDouble(0);
      Long wallNs = null;
      Long startNs = null;
      for (WorkerEvent e : RunDirectory.open(run).readEvents(c.id())) {
        if (e instanceof WorkerEvent.Trial t && t.trial() > 1) break;
        switch (e) {
          case WorkerEvent.Warmup w -> {
            warmN++;
            warmS += w.e2eNs() / 1e9;
          }
          case WorkerEvent.Sample s -> {
            measureN++;
            measureS += s.e2eNs() / 1e9;
          }
          case WorkerEvent.Loaded l -> loadS = l.loadNs() / 1e9;
          case WorkerEvent.Timing t -> {
            wallNs = t.wallNs();
            startNs = t.startNs();
          }
          default -> { }
        }
      }
      double e2e = measureN > 0 ? measureS / measureN : r.path("inference_time_s").asDouble();
      Double startS = startNs == null ? null : startNs / 1e9;
      Double otherS = wallNs == null ? null
          : Math.max(0, wallNs / 1e9 - (startS == null ? 0 : startS) - loadS - warmS - measureS);
      return Optional.of(new Observed(c, run, settings, e2e, warmN, warmS, measureN, loadS, startS, otherS));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // an unreadable earlier result is no estimate
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
