package io.genbench.measure;

import io.genbench.analyze.GpuPeak;
import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.TrialStats;
import io.genbench.analyze.Verdict;
import io.genbench.cost.CostModel;
import io.genbench.plan.Model;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.result.Workload;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent.Sample;
import io.genbench.wire.WorkerEvent.Telemetry;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/** Derives a case's result from its events alone. */
public final class CaseAnalyzer {
  private CaseAnalyzer() {}

  /**
   * @param caseId the case id (the directory name)
   * @param m the case's events
   * @param logTail the last lines of the worker's log, shown with a failure
   */
  public static CaseResult analyze(String caseId, Measurements m, List<String> logTail) {
    WorkerCase spec = m.spec();
    if (spec == null) throw new IllegalArgumentException("case " + caseId + " has no 'case' event");
    Shape shape = Shape.of(spec);
    List<Sample> samples = m.samples();
    Map<String, LatencySummary> latency = latency(samples, shape.llm());
    LatencySummary e2e = latency.get("e2e");
    Rates rates = Rates.of(samples, e2e, shape);
    Double loadS = m.loaded() == null ? null : m.loaded().loadNs() / 1e9;
    Prices prices = Prices.of(m.price());
    CaseResult.Failure failure = failure(m, logTail);
    CaseResult.Cost cost = failure == null ? cost(shape, rates, prices, loadS) : null;
    CaseStatus status = failure == null ? CaseStatus.SUCCESS : CaseStatus.of(failure.kind());

    var h = m.hello();
    String device = h == null ? null : deviceName(h);
    Map<String, Object> knobs = m.loaded() == null ? null : m.loaded().knobs();
    CaseResult.Where where = where(spec.instanceType(), m.price(), device).with(beside(m.slots()))
        .measuredAs(m.measuredAs());
    CaseResult.Warmup warmup = warmup(m.warmed());
    CaseResult.GpuBusy busy = gpuBusy(m, shape.llm());
    CaseResult.Efficiency efficiency = failure == null ? efficiency(m.flops(), device, spec.precision(), e2e, rates.tokensPerS(),
        latency.get("tpot")) : null;
    TrialStats trialStats = failure == null ? trialStats(m) : null;
    Verdict verdict = failure == null ? verdict(e2e, warmup, busy, knobs, trialStats, shape.llm(), steadiness(m)) : null;
    var result = new CaseResult.Spec(caseId, shape.modelId(), modelLabel(shape.modelId()), spec.instanceType(),
        where.measuredOn(), prices.lifecycle(), m.price() == null ? null : m.price().zone(), shape.batch(), spec.precision(),
        shape.workload(), backend(spec, h), m.loaded() == null ? null : m.loaded().weights(), device, knobs);
    CaseResult.Rates rated = switch (shape.workload()) {
      case Workload.Diffusion d -> new CaseResult.ImageRates(rates.timePerImageS(), rates.imagesPerS());
      case Workload.Llm l -> new CaseResult.TokenRates(rates.tokensPerS());
    };
    var run = new CaseResult.Run(loadS, m.warmups(), samples.size(), latency, rates.inferenceTimeS(), rated,
        memory(m.memory()), telemetry(m.telemetry(), rates.totalNs(), rates.totalImages()), prices.price(), warmup, busy);
    CaseResult.Outcome outcome = failure == null ? new CaseResult.Measured(run, cost, verdict, efficiency, trials(trialStats))
        : new CaseResult.Failed(run, status, failure);
    return new CaseResult(result, where, outcome);
  }

  /** What one request of the case is: its model, batch, steps, and images (0 for an LLM case). */
  private record Shape(String modelId, int batch, int steps, boolean llm, String resolution, int imagesPerRequest) {
    static Shape of(WorkerCase spec) {
      return switch (spec.workload()) {
        case WorkerCase.Diffusion d -> new Shape(spec.model(), spec.batchSize(), d.steps(), false, d.width() + "x" + d.height(),
            d.imagesPerRequest(spec.batchSize()));
        // an LLM request has no denoising steps: 0, or what a flat case event of an older run gave it
        case WorkerCase.Llm l -> new Shape(spec.model(), spec.batchSize(), l.flatSteps() == null ? 0 : l.flatSteps(), true, null, 0);
      };
    }

    /** The result's workload: images (with steps and resolution) or tokens. */
    Workload workload() {
      return llm ? new Workload.Llm(steps, resolution) : new Workload.Diffusion(imagesPerRequest, steps, resolution);
    }
  }

  /** Latency distributions: e2e, then the stages a diffusion request (or an LLM request) has. */
  private static Map<String, LatencySummary> latency(List<Sample> samples, boolean llm) {
    Map<String, LatencySummary> latency = new LinkedHashMap<>();
    put(latency, "e2e", samples, Sample::e2eNs);
    if (!llm) {
      put(latency, "inference", samples, Sample::inferenceNs);
      long[] steps = samples.stream().flatMap(s -> s.stepNs().stream()).mapToLong(Long::longValue).toArray();
      if (steps.length > 0) latency.put("per_step", LatencySummary.of(steps));
      put(latency, "text_encode", samples, Sample::textEncodeNs);
      put(latency, "decode", samples, Sample::decodeNs);
    } else {
      put(latency, "ttft", samples, s -> s.ttftNs() == null ? 0 : s.ttftNs());
      long[] tpot = samples.stream().flatMap(s -> s.decodeTokenNs().stream()).mapToLong(Long::longValue).toArray();
      if (tpot.length > 0) latency.put("tpot", LatencySummary.of(tpot));
    }
    return latency;
  }

  /** Throughput over the measured iterations: time per request and per image, images or tokens per second. */
  private record Rates(long totalNs, long totalImages, Double inferenceTimeS, Double timePerImageS, Double imagesPerS,
      Double tokensPerS) {
    static Rates of(List<Sample> samples, LatencySummary e2e, Shape shape) {
      long totalNs = samples.stream().mapToLong(Sample::e2eNs).sum();
      long totalImages = samples.stream().mapToLong(Sample::images).sum();
      long totalTokens = samples.stream().mapToLong(s -> s.tokens() == null ? 0 : s.tokens()).sum();
      Double inferenceTimeS = e2e == null ? null : e2e.meanNs() / 1e9;
      Double timePerImageS = e2e == null || shape.imagesPerRequest() == 0 ? null : inferenceTimeS / shape.imagesPerRequest();
      Double imagesPerS = totalNs == 0 || shape.llm() ? null : totalImages / (totalNs / 1e9);
      Double tokensPerS = totalNs == 0 || !shape.llm() ? null : totalTokens / (totalNs / 1e9);
      return new Rates(totalNs, totalImages, inferenceTimeS, timePerImageS, imagesPerS, tokensPerS);
    }
  }

  /** The prices the case is costed with: spot, on-demand, and the one its lifecycle pays. */
  private record Prices(BigDecimal spot, BigDecimal ondemand, BigDecimal actual, String lifecycle, CaseResult.Price price) {
    static Prices of(io.genbench.wire.WorkerEvent.Priced p) {
      BigDecimal spot = p == null || p.spotUsdPerHour() == null ? null : BigDecimal.valueOf(p.spotUsdPerHour());
      BigDecimal ondemand = p == null || p.ondemandUsdPerHour() == null ? null : BigDecimal.valueOf(p.ondemandUsdPerHour());
      String lifecycle = p == null ? null : p.lifecycle();
      BigDecimal actual = "spot".equals(lifecycle) ? spot : ondemand;
      return new Prices(spot, ondemand, actual, lifecycle,
          p == null ? null : new CaseResult.Price(spot, ondemand, actual, p.source(), p.asOf(), p.region()));
    }
  }

  /** The case's failure: the one it reported, or a worker error when it ended without one measured iteration. */
  private static CaseResult.Failure failure(Measurements m, List<String> logTail) {
    if (m.failure() != null) {
      FailureKind kind = m.failure().kind();
      // runs from before the budget kind wrote a budget stop as "skipped": it is not a case the backend cannot run
      if (kind == FailureKind.SKIPPED && m.failure().message() != null && m.failure().message().startsWith("not run: the budget")) {
        kind = FailureKind.BUDGET;
      }
      return new CaseResult.Failure(kind, m.failure().message(), logTail);
    }
    if (!m.done() || m.samples().isEmpty()) {
      return new CaseResult.Failure(FailureKind.WORKER_ERROR, m.done() ? "the case finished without a measured iteration"
          : "the event stream ended before the case finished", logTail);
    }
    return null;
  }

  /** Cost per 1M tokens (LLM) or per 1k images (diffusion) of a successful case, model load included. */
  private static CaseResult.Cost cost(Shape shape, Rates rates, Prices prices, Double loadS) {
    double load = loadS == null ? 0 : loadS;
    if (shape.llm() && rates.tokensPerS() != null) {
      double tokensPerS = rates.tokensPerS();
      return new CaseResult.TokenCost(CostModel.costPerMillionTokens(prices.spot(), tokensPerS, load),
          CostModel.costPerMillionTokens(prices.ondemand(), tokensPerS, load),
          CostModel.costPerMillionTokens(prices.actual(), tokensPerS, load),
          CostModel.spotSavingsPct(prices.spot(), prices.ondemand()));
    }
    if (rates.timePerImageS() != null) { // never for an LLM case: it has no images
      double timePerImageS = rates.timePerImageS();
      return new CaseResult.ImageCost(CostModel.costPer1000Images(prices.spot(), timePerImageS, load),
          CostModel.costPer1000Images(prices.ondemand(), timePerImageS, load),
          CostModel.costPer1000Images(prices.actual(), timePerImageS, load),
          CostModel.usdPerSecondPerImage(prices.spot(), shape.imagesPerRequest()),
          CostModel.usdPerSecondPerImage(prices.ondemand(), shape.imagesPerRequest()),
          CostModel.spotSavingsPct(prices.spot(), prices.ondemand()));
    }
    return null;
  }

  /** What ran the case as results name it, e.g. {@code torch-cuda (tiny configuration)}; null without a hello. */
  private static String backend(WorkerCase spec, io.genbench.wire.WorkerEvent.Hello h) {
    if (h == null) return null;
    String backend = h.backend() != null ? h.backend() : ("diffusers".equals(spec.backend()) ? "diffusers-" : "torch-") + h.device();
    return spec.tiny() ? backend + " (tiny configuration)" : backend;
  }

  /** Between-trial statistics of the e2e latency, when the case ran in more than one trial. */
  private static TrialStats trialStats(Measurements m) {
    return m.trials() > 1 && !m.samples().isEmpty() ? TrialStats.of(m.samplesByTrial().values().stream()
        .map(t -> t.stream().mapToLong(Sample::e2eNs).toArray()).toList()) : null;
  }

  private static CaseResult.Trials trials(TrialStats s) {
    return s == null ? null : new CaseResult.Trials(s.n(), s.mediansNs().stream().map(v -> v / 1e6).toList(), s.spreadPct(),
        s.ciLowNs() == null ? null : s.ciLowNs() / 1e6, s.ciHighNs() == null ? null : s.ciHighNs() / 1e6, s.kruskalWallisP(),
        s.disagree());
  }

  /** Is the figure valid, given the conditions it was measured in (warm-up, GPU-busy, knobs, trials, load)? */
  private static Verdict verdict(LatencySummary e2e, CaseResult.Warmup warmup, CaseResult.GpuBusy busy,
      Map<String, Object> knobs, TrialStats trialStats, boolean llm, Steadiness st) {
    return Verdict.of(e2e, new Verdict.Conditions(warmup == null ? null : warmup.iterations(),
        warmup == null ? null : warmup.steady(), busy == null ? null : busy.fraction(), knob(knobs, "cuda_graphs"),
        knob(knobs, "compile"), trialStats, busy == null ? null : busy.trialHigh(), llm, st.targetCiPct(), st.median(),
        st.load(), st.driftPct()));
  }

  /**
   * What the stop rule judges: the target width the case was measured to (null in logs from before it, which keep the
   * older verdict rule), the 95 % interval of the median over every measured sample, and the busiest trial's load.
   */
  private record Steadiness(Double targetCiPct, io.genbench.analyze.MedianInterval median, io.genbench.analyze.MachineLoad load,
      Double driftPct) {}

  private static Steadiness steadiness(Measurements m) {
    Double target = m.spec().measure().targetCiPct();
    var median = target == null ? null
        : io.genbench.analyze.MedianInterval.of(m.samples().stream().mapToLong(Sample::e2eNs).toArray());
    var load = m.loads().stream().max(java.util.Comparator.comparingDouble(l -> l.otherCpuPct() == null ? -1 : l.otherCpuPct()))
        .map(l -> new io.genbench.analyze.MachineLoad(l.loadAvg1m(), l.cpus(), l.otherCpuPct(), l.stealPct(), l.selfCpuPct()))
        .orElse(null);
    Double drift = null;
    for (List<Sample> trial : m.samplesByTrial().values()) {
      if (target == null || trial.size() < 4) continue;
      long[] first = trial.subList(0, trial.size() / 2).stream().mapToLong(Sample::e2eNs).toArray();
      long[] second = trial.subList(trial.size() / 2, trial.size()).stream().mapToLong(Sample::e2eNs).toArray();
      double a = LatencySummary.of(first).p50Ns();
      double d = a <= 0 ? 0 : 100 * (LatencySummary.of(second).p50Ns() - a) / a;
      if (drift == null || Math.abs(d) > Math.abs(drift)) drift = d;
    }
    return new Steadiness(target, median, load, drift);
  }

  private static CaseResult.Memory memory(io.genbench.wire.WorkerEvent.Memory m) {
    if (m == null) return null;
    String kind = m.kind() == null ? ("cpu".equals(m.device()) ? "rss-process-peak" : "cuda-reserved")
        : "cuda".equals(m.kind()) ? "cuda-reserved" : m.kind();
    return new CaseResult.Memory(m.peakAllocatedBytes(), m.peakReservedBytes(), m.device(), kind, m.baselineBytes());
  }

  /**
   * The instance a case was measured on (declared, or {@code local (<device>)}) and the one it was priced as. Event
   * logs from before {@code priced_as} copied the priced type into {@code actual_instance}: they read as before.
   */
  static CaseResult.Where where(String requested, io.genbench.wire.WorkerEvent.Priced p, String device) {
    if (p == null) return new CaseResult.Where(local(device), requested, false);
    if (p.pricedAs() == null) {
      String actual = p.actualInstance() == null ? requested : p.actualInstance();
      return new CaseResult.Where(actual, actual, false);
    }
    String measuredOn = p.actualInstance() != null ? p.actualInstance() : local(device);
    return new CaseResult.Where(measuredOn, p.pricedAs(), !p.pricedAs().equals(p.actualInstance()));
  }

  /** Where a case ran beside other workers, over its trials; null when it ran in a one-worker run. */
  static CaseResult.Beside beside(List<io.genbench.wire.WorkerEvent.Slot> slots) {
    if (slots.isEmpty()) return null;
    String gpus = slots.stream().map(io.genbench.wire.WorkerEvent.Slot::gpu).distinct().collect(java.util.stream.Collectors.joining(","));
    int workers = slots.stream().mapToInt(io.genbench.wire.WorkerEvent.Slot::workers).max().orElse(0);
    int min = slots.stream().mapToInt(io.genbench.wire.WorkerEvent.Slot::neighboursMin).min().orElse(0);
    int max = slots.stream().mapToInt(io.genbench.wire.WorkerEvent.Slot::neighboursMax).max().orElse(0);
    return new CaseResult.Beside(gpus, workers, min, max);
  }

  private static String local(String device) {
    return "local (" + (device == null ? "unknown device" : device) + ")";
  }

  private static CaseResult.Warmup warmup(List<io.genbench.wire.WorkerEvent.Warmed> warmed) {
    if (warmed.isEmpty()) return null;
    int iterations = warmed.stream().mapToInt(io.genbench.wire.WorkerEvent.Warmed::iterations).max().orElse(0);
    boolean steady = warmed.stream().allMatch(io.genbench.wire.WorkerEvent.Warmed::steady);
    Double spread = warmed.stream().map(io.genbench.wire.WorkerEvent.Warmed::spread).filter(v -> v != null)
        .max(Double::compare).orElse(null);
    return new CaseResult.Warmup(iterations, steady, spread);
  }

  /**
   * The GPU-busy fraction of a denoising step (LLM: of a decode step): a profiled iteration's median kernel time per
   * step over the median step of the measured iterations of the same trial (LLM: the median TPOT). The profiler's own
   * host cost stretches a launch-bound step's wall time (22 ms measured, 32–46 ms under the profiler on an H200; an
   * OPT-1.3b decode step 11.2 ms profiled), so the profiled wall would understate how busy the GPU is; the kernel time
   * it sees is the GPU's own. Each trial is a fresh process on a host whose launch rate varies, so the case reports its
   * least busy trial: if any trial was host-bound, the pooled figure partly measures the host. Without measured steps
   * the profiled wall is the fallback.
   */
  private static CaseResult.GpuBusy gpuBusy(Measurements m, boolean llm) {
    CaseResult.GpuBusy least = null;
    List<Double> fractions = new java.util.ArrayList<>();
    for (var entry : m.profiles().entrySet()) {
      List<Long> kernels = new java.util.ArrayList<>();
      List<Long> walls = new java.util.ArrayList<>();
      String method = null;
      for (var pr : entry.getValue()) {
        if (pr.stepKernelNs().isEmpty() || pr.busyFraction() == null) continue; // the worker could not see the kernels
        kernels.addAll(pr.stepKernelNs());
        walls.addAll(pr.stepWallNs());
        method = pr.method();
      }
      if (kernels.isEmpty()) continue;
      // the profiled phase's measured counterpart: the denoising steps, or an LLM's decode steps (TPOT)
      long[] steps = m.samplesByTrial().getOrDefault(entry.getKey(), List.of()).stream()
          .flatMap(s -> (llm ? s.decodeTokenNs() : s.stepNs()).stream()).mapToLong(Long::longValue).toArray();
      double kernel = median(kernels);
      double wall = steps.length > 0 ? LatencySummary.of(steps).p50Ns() : walls.isEmpty() ? 0 : median(walls);
      if (wall <= 0) continue;
      double fraction = Math.min(1.0, kernel / wall);
      fractions.add(fraction);
      if (least == null || fraction < least.fraction()) {
        least = new CaseResult.GpuBusy(fraction, kernel / 1e6, wall / 1e6,
            method + (steps.length == 0 ? " (profiled step wall)" : llm ? " kernels over the measured TPOT"
                : " kernels over the measured step"), null, null);
      }
    }
    if (least == null || fractions.size() < 2) return least;
    return new CaseResult.GpuBusy(least.fraction(), least.stepKernelMs(), least.stepWallMs(), least.method(),
        fractions.stream().min(Double::compare).orElseThrow(), fractions.stream().max(Double::compare).orElseThrow());
  }

  private static double median(List<Long> values) {
    return LatencySummary.of(values.stream().mapToLong(Long::longValue).toArray()).p50Ns();
  }

  private static CaseResult.Efficiency efficiency(io.genbench.wire.WorkerEvent.Flops f, String device, String precision,
      LatencySummary e2e, Double tokensPerS, LatencySummary tpot) {
    if (f == null) return null;
    var peak = GpuPeak.forDevice(device);
    Double peakFlops = peak.flatMap(pk -> pk.flopsPerS(precision)).orElse(null);
    Double mfu = null;
    if (peakFlops != null && f.flopsPerRequest() != null && e2e != null && e2e.meanNs() > 0) {
      // the whole request over its mean e2e: diffusion's encode, steps and decode; an LLM's prefill and decode steps
      mfu = 100 * f.flopsPerRequest() / (e2e.meanNs() / 1e9) / peakFlops;
    } else if (peakFlops != null && f.flopsPerToken() != null && tokensPerS != null) {
      mfu = 100 * f.flopsPerToken() * tokensPerS / peakFlops; // LLM events without a request count: decode only
    }
    Double mbu = null;
    if (peak.isPresent() && f.decodeBytesPerStep() != null && tpot != null && tpot.meanNs() > 0) {
      mbu = 100 * f.decodeBytesPerStep() / (tpot.meanNs() / 1e9) / (peak.get().memoryTbPerS() * 1e12);
    }
    String peakText = peak.map(pk -> String.format(java.util.Locale.ROOT, "%s: %s dense %.1f TFLOPS, %.2f TB/s (%s)",
        pk.name(), precision, peakFlops == null ? Double.NaN : peakFlops / 1e12, pk.memoryTbPerS(), pk.source())).orElse(null);
    return new CaseResult.Efficiency(f.flopsPerRequest(), f.flopsPerStep(), mfu, mbu, peakText, f.method(), f.flopsPerToken(),
        f.prefillFlops());
  }

  private static Boolean knob(Map<String, Object> knobs, String name) {
    return knobs != null && knobs.get(name) instanceof Boolean b ? b : null;
  }

  private static void put(Map<String, LatencySummary> into, String name, List<Sample> samples, ToLongFunction<Sample> f) {
    if (samples.isEmpty()) return;
    into.put(name, LatencySummary.of(samples.stream().mapToLong(f).toArray()));
  }

  /**
   * Utilisation, power and energy from the windows of the measured iterations only (the model build and warm-up
   * idle the GPU and would halve the figures); all windows when the worker does not tag them.
   */
  private static CaseResult.Telemetry telemetry(List<Telemetry> all, long totalNs, long totalImages) {
    List<Telemetry> t = all.stream().anyMatch(w -> w.measuring() != null)
        ? all.stream().filter(w -> Boolean.TRUE.equals(w.measuring())).toList() : all;
    if (t.isEmpty()) return null;
    Double util = mean(t.stream().map(Telemetry::gpuUtilPct).toList());
    Double power = mean(t.stream().map(Telemetry::powerW).toList());
    Double memMax = t.stream().map(Telemetry::memoryUsedPct).filter(v -> v != null).max(Double::compare).orElse(null);
    Double energy = power == null || totalImages == 0 ? null : power * (totalNs / 1e9) / totalImages;
    return new CaseResult.Telemetry(t.size(), util, memMax, power, energy);
  }

  private static Double mean(List<Double> values) {
    var present = values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
    if (present.length == 0) return null;
    double sum = 0;
    for (double v : present) sum += v;
    return sum / present.length;
  }

  private static String deviceName(io.genbench.wire.WorkerEvent.Hello h) {
    // a damaged hello may hold [null] or {} as its first device: the device kind is then the name
    if (h.devices() != null && !h.devices().isEmpty() && h.devices().get(0) != null && h.devices().get(0).get("name") != null) {
      return String.valueOf(h.devices().get(0).get("name"));
    }
    return h.device();
  }

  private static String modelLabel(String modelId) {
    return Model.ALL.stream().filter(mm -> mm.id().equals(modelId)).map(Model::label).findFirst().orElse(modelId);
  }
}
