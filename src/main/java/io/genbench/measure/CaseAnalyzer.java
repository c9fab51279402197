package io.genbench.measure;

import io.genbench.analyze.GpuPeak;
import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.TrialStats;
import io.genbench.analyze.Verdict;
import io.genbench.cost.CostModel;
import io.genbench.plan.Model;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
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
    String modelId = spec.model();
    String label = modelLabel(modelId);
    int batch = spec.batchSize();
    int steps = spec.inferenceSteps();
    boolean llm = spec.outputTokens() != null;
    String resolution = llm ? null : spec.width() + "x" + spec.height();
    int frames = spec.frames() == null ? 1 : spec.frames();
    int imagesPerRequest = llm ? 0 : batch * frames;

    List<Sample> samples = m.samples();
    Map<String, LatencySummary> latency = new LinkedHashMap<>();
    put(latency, "e2e", samples, Sample::e2eNs);
    if (!llm) {
      put(latency, "inference", samples, Sample::inferenceNs);
      long[] steps1 = samples.stream().flatMap(s -> s.stepNs().stream()).mapToLong(Long::longValue).toArray();
      if (steps1.length > 0) latency.put("per_step", LatencySummary.of(steps1));
      put(latency, "text_encode", samples, Sample::textEncodeNs);
      put(latency, "decode", samples, Sample::decodeNs);
    } else {
      put(latency, "ttft", samples, s -> s.ttftNs() == null ? 0 : s.ttftNs());
      long[] tpot = samples.stream().flatMap(s -> s.decodeTokenNs().stream()).mapToLong(Long::longValue).toArray();
      if (tpot.length > 0) latency.put("tpot", LatencySummary.of(tpot));
    }
    LatencySummary e2e = latency.get("e2e");

    long totalNs = samples.stream().mapToLong(Sample::e2eNs).sum();
    long totalImages = samples.stream().mapToLong(Sample::images).sum();
    long totalTokens = samples.stream().mapToLong(s -> s.tokens() == null ? 0 : s.tokens()).sum();
    Double inferenceTimeS = e2e == null ? null : e2e.meanNs() / 1e9;
    Double timePerImageS = e2e == null || imagesPerRequest == 0 ? null : inferenceTimeS / imagesPerRequest;
    Double imagesPerS = totalNs == 0 || llm ? null : totalImages / (totalNs / 1e9);
    Double tokensPerS = totalNs == 0 || !llm ? null : totalTokens / (totalNs / 1e9);
    Double loadS = m.loaded() == null ? null : m.loaded().loadNs() / 1e9;

    CaseResult.Memory memory = memory(m.memory());
    CaseResult.Telemetry telemetry = telemetry(m.telemetry(), totalNs, totalImages);

    var p = m.price();
    BigDecimal spot = p == null || p.spotUsdPerHour() == null ? null : BigDecimal.valueOf(p.spotUsdPerHour());
    BigDecimal ondemand = p == null || p.ondemandUsdPerHour() == null ? null : BigDecimal.valueOf(p.ondemandUsdPerHour());
    String lifecycle = p == null ? null : p.lifecycle();
    BigDecimal actual = "spot".equals(lifecycle) ? spot : ondemand;
    CaseResult.Price price = p == null ? null : new CaseResult.Price(spot, ondemand, actual, p.source(), p.asOf(), p.region());

    FailureKind kind = null;
    CaseResult.Failure failure = null;
    if (m.failure() != null) {
      kind = m.failure().kind();
      failure = new CaseResult.Failure(kind, m.failure().message(), logTail);
    } else if (!m.done() || samples.isEmpty()) {
      kind = FailureKind.WORKER_ERROR;
      failure = new CaseResult.Failure(kind, m.done() ? "the case finished without a measured iteration"
          : "the event stream ended before the case finished", logTail);
    }
    CaseResult.Cost cost = null;
    if (failure == null && llm && tokensPerS != null) {
      double load = loadS == null ? 0 : loadS;
      cost = new CaseResult.Cost(null, null, null, null, null, CostModel.spotSavingsPct(spot, ondemand),
          CostModel.costPerMillionTokens(spot, tokensPerS, load), CostModel.costPerMillionTokens(ondemand, tokensPerS, load),
          CostModel.costPerMillionTokens(actual, tokensPerS, load));
    } else if (failure == null && timePerImageS != null) {
      double load = loadS == null ? 0 : loadS;
      cost = new CaseResult.Cost(CostModel.costPer1000Images(spot, timePerImageS, load),
          CostModel.costPer1000Images(ondemand, timePerImageS, load), CostModel.costPer1000Images(actual, timePerImageS, load),
          CostModel.usdPerSecondPerImage(spot, imagesPerRequest), CostModel.usdPerSecondPerImage(ondemand, imagesPerRequest),
          CostModel.spotSavingsPct(spot, ondemand));
    }
    CaseStatus status = kind == null ? CaseStatus.SUCCESS : CaseStatus.of(kind);
    var h = m.hello();
    String backend = h == null ? null : h.backend() != null ? h.backend()
        : ("diffusers".equals(spec.backend()) ? "diffusers-" : "torch-") + h.device();
    if (backend != null && spec.tiny()) backend += " (tiny configuration)";
    String device = h == null ? null : deviceName(h);
    String precision = spec.precision();
    Map<String, Object> knobs = m.loaded() == null ? null : m.loaded().knobs();

    CaseResult.Where where = where(spec.instanceType(), p, device);
    CaseResult.Warmup warmup = warmup(m.warmed());
    CaseResult.GpuBusy busy = gpuBusy(m);
    CaseResult.Efficiency efficiency = failure == null ? efficiency(m.flops(), device, precision, e2e, tokensPerS,
        latency.get("tpot")) : null;
    TrialStats trialStats = m.trials() > 1 && failure == null && !samples.isEmpty() ? TrialStats.of(m.samplesByTrial().values()
        .stream().map(t -> t.stream().mapToLong(Sample::e2eNs).toArray()).toList()) : null;
    CaseResult.Trials trials = trialStats == null ? null : new CaseResult.Trials(trialStats.n(),
        trialStats.mediansNs().stream().map(v -> v / 1e6).toList(), trialStats.spreadPct(),
        trialStats.ciLowNs() == null ? null : trialStats.ciLowNs() / 1e6, trialStats.ciHighNs() == null ? null : trialStats.ciHighNs() / 1e6,
        trialStats.kruskalWallisP(), trialStats.disagree());
    Verdict verdict = failure == null ? Verdict.of(e2e, new Verdict.Conditions(warmup == null ? null : warmup.iterations(),
        warmup == null ? null : warmup.steady(), busy == null ? null : busy.fraction(), knob(knobs, "cuda_graphs"),
        knob(knobs, "compile"), trialStats, busy == null ? null : busy.trialHigh())) : null;
    return new CaseResult(caseId, modelId, label, spec.instanceType(), where.measuredOn(), lifecycle,
        p == null ? null : p.zone(), batch, steps, resolution, precision, backend,
        m.loaded() == null ? null : m.loaded().weights(), device, loadS, m.warmups(), samples.size(), imagesPerRequest,
        latency, inferenceTimeS, timePerImageS, imagesPerS, tokensPerS, memory, telemetry, price, cost, verdict, status, failure,
        knobs, where, warmup, busy, efficiency, trials);
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
   * The GPU-busy fraction of a denoising step: a profiled iteration's median kernel time per step over the median
   * step of the measured iterations of the same trial. The profiler's own host cost stretches a launch-bound step's
   * wall time (22 ms measured, 32–46 ms under the profiler on an H200), so the profiled wall would understate how busy
   * the GPU is; the kernel time it sees is the GPU's own. Each trial is a fresh process on a host whose launch rate
   * varies, so the case reports its least busy trial: if any trial was host-bound, the pooled figure partly measures
   * the host. Without measured steps the profiled wall is the fallback.
   */
  private static CaseResult.GpuBusy gpuBusy(Measurements m) {
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
      long[] steps = m.samplesByTrial().getOrDefault(entry.getKey(), List.of()).stream()
          .flatMap(s -> s.stepNs().stream()).mapToLong(Long::longValue).toArray();
      double kernel = median(kernels);
      double wall = steps.length > 0 ? LatencySummary.of(steps).p50Ns() : walls.isEmpty() ? 0 : median(walls);
      if (wall <= 0) continue;
      double fraction = Math.min(1.0, kernel / wall);
      fractions.add(fraction);
      if (least == null || fraction < least.fraction()) {
        least = new CaseResult.GpuBusy(fraction, kernel / 1e6, wall / 1e6,
            method + (steps.length > 0 ? " kernels over the measured step" : " (profiled step wall)"), null, null);
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
    if (peakFlops != null && f.flopsPerToken() != null && tokensPerS != null) {
      mfu = 100 * f.flopsPerToken() * tokensPerS / peakFlops;
    } else if (peakFlops != null && f.flopsPerRequest() != null && e2e != null && e2e.meanNs() > 0) {
      mfu = 100 * f.flopsPerRequest() / (e2e.meanNs() / 1e9) / peakFlops;
    }
    Double mbu = null;
    if (peak.isPresent() && f.decodeBytesPerStep() != null && tpot != null && tpot.meanNs() > 0) {
      mbu = 100 * f.decodeBytesPerStep() / (tpot.meanNs() / 1e9) / (peak.get().memoryTbPerS() * 1e12);
    }
    String peakText = peak.map(pk -> String.format(java.util.Locale.ROOT, "%s: %s dense %.1f TFLOPS, %.2f TB/s (%s)",
        pk.name(), precision, peakFlops == null ? Double.NaN : peakFlops / 1e12, pk.memoryTbPerS(), pk.source())).orElse(null);
    return new CaseResult.Efficiency(f.flopsPerRequest() != null ? f.flopsPerRequest() : f.flopsPerToken(), f.flopsPerStep(),
        mfu, mbu, peakText, f.method());
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
    if (h.devices() != null && !h.devices().isEmpty() && h.devices().get(0).get("name") != null) {
      return String.valueOf(h.devices().get(0).get("name"));
    }
    return h.device();
  }

  private static String modelLabel(String modelId) {
    return Model.ALL.stream().filter(mm -> mm.id().equals(modelId)).map(Model::label).findFirst().orElse(modelId);
  }
}
