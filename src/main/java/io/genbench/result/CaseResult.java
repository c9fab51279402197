package io.genbench.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.wire.FailureKind;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Everything measured and derived for one case: the content of {@code result.json}. Always recomputable from the
 * case's {@code events.jsonl}. What the case was, where it ran, and how it came out: measured, or failed. The file's
 * flat shape (the seed's column names) is {@link ResultFile}, the one mapping between the two; this record is written
 * and read through it.
 *
 * @param spec the case as it ran: what it asked for, its workload, and what ran it
 * @param where where the time was measured and which instance's price it was costed with; null in older result files
 * @param outcome measured (with its cost and verdict) or failed (with its failure)
 */
public record CaseResult(Spec spec, Where where, Outcome outcome) {

  public CaseResult {
    java.util.Objects.requireNonNull(spec, "spec");
    java.util.Objects.requireNonNull(outcome, "outcome");
  }

  /**
   * The case as it ran.
   *
   * @param caseId the case id
   * @param model model id
   * @param modelLabel short model name, e.g. {@code SD2.1}
   * @param requestedInstance instance type the plan asked for
   * @param actualInstance instance type the case ran on (or was priced as)
   * @param lifecycle {@code spot} or {@code ondemand}: which price is the actual one
   * @param zone availability zone, or null
   * @param batchSize requests' batch size
   * @param precision e.g. {@code float16}
   * @param workload images (with steps and resolution) or tokens
   * @param backend what ran the model: {@code onnx-cpu}, {@code torch-cuda}, {@code torch-cpu}, ...; null without a hello
   * @param weights {@code random} or {@code local}
   * @param device the device the model ran on, e.g. {@code NVIDIA H200} or {@code cpu}
   * @param knobs the optimisation knobs as the backend resolved them (attention, cuda_graphs, compile, channels_last),
   *     or null where it did not say
   */
  public record Spec(String caseId, String model, String modelLabel, String requestedInstance, String actualInstance,
      String lifecycle, String zone, int batchSize, String precision, Workload workload, String backend, String weights,
      String device, Map<String, Object> knobs) {
    public Spec {
      java.util.Objects.requireNonNull(workload, "workload");
    }
  }

  /**
   * How a case came out. Views switch over it instead of testing a failure for null, so a new outcome fails to compile
   * until every view handles it.
   */
  public sealed interface Outcome {
    /** What was measured before the case ended, also for a case that then failed (a failure may follow samples). */
    Run run();
  }

  /**
   * The case measured its iterations.
   *
   * @param run what was measured
   * @param cost cost figures, or null where the case had no price or rate
   * @param verdict validity of the measurement
   * @param efficiency FLOPs, MFU and MBU, or null where not counted
   * @param trials how the case's trials agree (with {@code --trials} > 1), or null
   */
  public record Measured(Run run, Cost cost, Verdict verdict, Efficiency efficiency, Trials trials) implements Outcome {}

  /**
   * The case failed, ran out of memory or was not run.
   *
   * @param run what was measured before it ended (often nothing)
   * @param status the {@code summary.csv} status it has
   * @param failure why
   */
  public record Failed(Run run, CaseStatus status, Failure failure) implements Outcome {
    public Failed {
      java.util.Objects.requireNonNull(status, "status");
      java.util.Objects.requireNonNull(failure, "failure");
    }
  }

  /**
   * What a case measured.
   *
   * @param modelLoadS model build/load seconds
   * @param warmupIterations warm-up iterations run (never measured)
   * @param iterations measured iterations
   * @param latency summaries by phase: {@code e2e}, {@code inference} (the denoising loop), {@code per_step},
   *     {@code text_encode}, {@code decode}; LLM cases {@code ttft}, {@code tpot}
   * @param inferenceTimeS mean end-to-end seconds per request (the seed's {@code inference_time_s})
   * @param rates images or tokens per second, as the workload produces
   * @param memory peak memory
   * @param telemetry GPU telemetry summary, or null where none was sampled
   * @param price the prices used, with their source and date
   * @param warmup how warm-up ended (null from workers that do not say)
   * @param gpuBusy the GPU-busy fraction of a denoising step (GPU cases), or null
   */
  public record Run(Double modelLoadS, int warmupIterations, int iterations, Map<String, LatencySummary> latency,
      Double inferenceTimeS, Rates rates, Memory memory, Telemetry telemetry, Price price, Warmup warmup, GpuBusy gpuBusy) {
    public Run {
      java.util.Objects.requireNonNull(rates, "rates");
    }
  }

  /** The rate a case's requests produce at: images or tokens per second. */
  public sealed interface Rates {}

  /**
   * @param timePerImageS {@code inferenceTimeS / imagesPerRequest}
   * @param imagesPerS images per second over the measured iterations, total images / total e2e time
   */
  public record ImageRates(Double timePerImageS, Double imagesPerS) implements Rates {}

  /** @param tokensPerS generated tokens per second */
  public record TokenRates(Double tokensPerS) implements Rates {}

  /** Images or tokens: what this case's requests produce. */
  public Workload workload() {
    return spec.workload();
  }

  /** What was measured (also before a failure). */
  public Run run() {
    return outcome.run();
  }

  /** This result with its failure's log tail replaced; this very result when it has no failure or the tail is the same. */
  public CaseResult withLogTail(List<String> logTail) {
    return switch (outcome) {
      case Measured m -> this;
      case Failed f -> f.failure().logTail().equals(logTail) ? this
          : new CaseResult(spec, where, new Failed(f.run(), f.status(), new Failure(f.failure().kind(), f.failure().message(), logTail)));
    };
  }

  /** This result with {@code where} replaced. */
  public CaseResult withWhere(Where w) {
    return new CaseResult(spec, w, outcome);
  }

  /** Written as its file's flat shape. */
  @JsonValue
  ResultFile toFile() {
    return ResultFile.of(this);
  }

  /** Read from its file's flat shape. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static CaseResult fromFile(ResultFile file) {
    return file.toResult();
  }

  // The flat figures, as views read them until each asks the typed groups (issue 16 item 2's next step).

  public String caseId() { return spec.caseId(); }
  public String model() { return spec.model(); }
  public String modelLabel() { return spec.modelLabel(); }
  public String requestedInstance() { return spec.requestedInstance(); }
  public String actualInstance() { return spec.actualInstance(); }
  public String lifecycle() { return spec.lifecycle(); }
  public String zone() { return spec.zone(); }
  public int batchSize() { return spec.batchSize(); }
  public String precision() { return spec.precision(); }
  public String backend() { return spec.backend(); }
  public String weights() { return spec.weights(); }
  public String device() { return spec.device(); }
  public Map<String, Object> knobs() { return spec.knobs(); }

  /** Denoising steps; for an LLM case what its file said (0, or an older flat case event's steps). */
  public int inferenceSteps() {
    return switch (spec.workload()) {
      case Workload.Diffusion d -> d.steps();
      case Workload.Llm l -> l.storedSteps();
    };
  }

  /** {@code WxH}; for an LLM case what its file said (null, or an older flat case event's). */
  public String resolution() {
    return switch (spec.workload()) {
      case Workload.Diffusion d -> d.resolution();
      case Workload.Llm l -> l.storedResolution();
    };
  }

  /** Images one request produces; 0 for an LLM case. */
  public int imagesPerRequest() {
    return switch (spec.workload()) {
      case Workload.Diffusion d -> d.imagesPerRequest();
      case Workload.Llm l -> 0;
    };
  }

  public Double modelLoadS() { return run().modelLoadS(); }
  public int warmupIterations() { return run().warmupIterations(); }
  public int iterations() { return run().iterations(); }
  public Map<String, LatencySummary> latency() { return run().latency(); }
  public Double inferenceTimeS() { return run().inferenceTimeS(); }
  public Memory memory() { return run().memory(); }
  public Telemetry telemetry() { return run().telemetry(); }
  public Price price() { return run().price(); }
  public Warmup warmup() { return run().warmup(); }
  public GpuBusy gpuBusy() { return run().gpuBusy(); }

  public Double timePerImageS() {
    return run().rates() instanceof ImageRates i ? i.timePerImageS() : null;
  }

  public Double imagesPerS() {
    return run().rates() instanceof ImageRates i ? i.imagesPerS() : null;
  }

  public Double tokensPerS() {
    return run().rates() instanceof TokenRates t ? t.tokensPerS() : null;
  }

  public Cost cost() { return outcome instanceof Measured m ? m.cost() : null; }
  public Verdict verdict() { return outcome instanceof Measured m ? m.verdict() : null; }
  public Efficiency efficiency() { return outcome instanceof Measured m ? m.efficiency() : null; }
  public Trials trials() { return outcome instanceof Measured m ? m.trials() : null; }
  public Failure failure() { return outcome instanceof Failed f ? f.failure() : null; }

  /** The {@code summary.csv} status: {@code SUCCESS} for a measured case. */
  public CaseStatus status() {
    return switch (outcome) {
      case Measured m -> CaseStatus.SUCCESS;
      case Failed f -> f.status();
    };
  }

  /**
   * The case's own peak memory.
   *
   * @param peakAllocatedBytes peak bytes held by tensors since the case started (GPU), or the case's {@code rss-delta}
   * @param peakReservedBytes peak bytes reserved by the allocator since the case started (GPU), or the {@code rss-delta}
   * @param device {@code cuda} or {@code cpu}
   * @param kind what {@link #peakBytes()} measures: {@code cuda-reserved}, {@code rss-delta} (peak resident set
   *     during the case minus the resident set at its start), or {@code rss-process-peak} (older CPU results: the
   *     process's lifetime peak, not the case's)
   * @param baselineBytes the resident set when the case started ({@code rss-delta}), else null
   */
  public record Memory(long peakAllocatedBytes, long peakReservedBytes, String device, String kind, Long baselineBytes) {
    public Memory(long peakAllocatedBytes, long peakReservedBytes, String device) {
      this(peakAllocatedBytes, peakReservedBytes, device, "cpu".equals(device) ? "rss-process-peak" : "cuda-reserved", null);
    }

    /** GB (10⁹ bytes) of GPU memory, as the seed's {@code gpu_memory_gb}; null on CPU. */
    public Double gpuMemoryGb() {
      return "cpu".equals(device) ? null : peakReservedBytes / 1e9;
    }

    /** The headline figure: reserved GPU bytes, or the CPU case's figure. */
    public long peakBytes() {
      return peakReservedBytes;
    }
  }

  /**
   * Where a case's time was measured and whose price it was costed with.
   *
   * @param measuredOn the instance type it ran on when detected or declared, else {@code local (<device>)}
   * @param pricedAs the instance type whose price the costs use
   * @param pricedElsewhere true when the costs apply time measured on one machine to another machine's price: an
   *     estimate of what {@code pricedAs} would cost at this speed, not a measurement of {@code pricedAs}
   * @param beside where it ran when several workers ran at once ({@code genbench run --gpus}), else null
   * @param measuredAs the case whose measurement this one's figures are, when this one was not run because on the machine
   *     that measured it it is the same work (the two differ only in the instance type they are priced as); null (and
   *     absent from the file) when the case was measured itself
   */
  public record Where(String measuredOn, String pricedAs, boolean pricedElsewhere, Beside beside,
      @JsonInclude(JsonInclude.Include.NON_NULL) String measuredAs) {
    public Where(String measuredOn, String pricedAs, boolean pricedElsewhere) {
      this(measuredOn, pricedAs, pricedElsewhere, null, null);
    }

    /** The same, with where it ran beside other workers. */
    public Where with(Beside b) {
      return new Where(measuredOn, pricedAs, pricedElsewhere, b, measuredAs);
    }

    /** The same, measured as {@code caseId} (null: measured itself). */
    public Where measuredAs(String caseId) {
      return new Where(measuredOn, pricedAs, pricedElsewhere, beside, caseId);
    }
  }

  /**
   * A case run while other workers of the same run used the host's other GPUs ({@code genbench run --gpus}): its
   * figures may include their interference (shared CPU cores, PCIe, power and thermal limits).
   *
   * @param gpus the GPU index(es) it ran on, comma-separated over trials
   * @param workers workers the run had at once
   * @param neighboursMin the fewest other workers running while it was open (over every trial)
   * @param neighboursMax the most
   */
  public record Beside(String gpus, int workers, int neighboursMin, int neighboursMax) {
    /** True when at least one other worker ran during part of it. */
    public boolean hadNeighbours() {
      return neighboursMax > 0;
    }
  }

  /**
   * How warm-up ended, over every trial.
   *
   * @param iterations warm-up iterations run (the most of any trial)
   * @param steady every trial reached steady timing before measuring
   * @param spread the last warm-up window's (max − min) / median, the largest of any trial, or null
   */
  public record Warmup(int iterations, boolean steady, Double spread) {}

  /**
   * The GPU-busy fraction of a denoising step (LLM: a decode step), from one profiled iteration outside the measured
   * ones.
   *
   * @param fraction median GPU kernel time of a profiled step / median step of the same trial's measured iterations
   *     (LLM: their median TPOT) (0..1), for the least busy trial
   * @param stepKernelMs median GPU kernel time of a step (the union of its kernel intervals), ms
   * @param stepWallMs the step time it is divided by: the measured iterations' median step (LLM: median TPOT), ms
   * @param method how kernel time was measured, e.g. {@code torch.profiler}
   * @param trialLow with trials, the least busy trial's fraction (the one {@code fraction} reports), else null
   * @param trialHigh with trials, the busiest trial's fraction, else null
   */
  public record GpuBusy(Double fraction, Double stepKernelMs, Double stepWallMs, String method, Double trialLow,
      Double trialHigh) {}

  /**
   * Work and how much of the GPU's peak it used.
   *
   * @param flopsPerRequest FLOPs of one request (a multiply-add is 2): diffusion, encode + steps + decode; LLM, the
   *     prefill + every decode step of the batch (null for LLM runs whose worker counted no prefill)
   * @param flopsPerStep FLOPs of one denoising step (CFG included), or null
   * @param mfuPct model FLOPs utilisation: FLOPs per request / mean e2e / peak, % (LLM runs without a request count:
   *     FLOPs per generated token × tokens/s / peak, decode only); null where the GPU or precision has no peak
   * @param mbuPct LLM decode: bytes read per decode step / mean TPOT / memory bandwidth, %; else null
   * @param peak the peak used, or null
   * @param method how FLOPs were counted
   * @param flopsPerToken LLM: FLOPs per generated token (one decode step at the mean context over the batch); absent
   *     for diffusion. Results written before it held this figure in {@code flops_per_request}, and are read so.
   * @param prefillFlops LLM: FLOPs of the prefill over the prompt for the batch; absent where not counted
   */
  public record Efficiency(Double flopsPerRequest, Double flopsPerStep, Double mfuPct, Double mbuPct, String peak, String method,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double flopsPerToken,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double prefillFlops) {

    /** Figures without the LLM fields (diffusion). */
    public Efficiency(Double flopsPerRequest, Double flopsPerStep, Double mfuPct, Double mbuPct, String peak, String method) {
      this(flopsPerRequest, flopsPerStep, mfuPct, mbuPct, peak, method, null, null);
    }

    /**
     * Reads a stored result. An LLM result written before {@code flops_per_token} existed (no denoising step, no
     * {@code flops_per_token}) holds the per-token count in {@code flops_per_request}: it is read as the per-token
     * figure, and the request count as unknown.
     */
    @JsonCreator
    static Efficiency read(@JsonProperty("flops_per_request") Double flopsPerRequest,
        @JsonProperty("flops_per_step") Double flopsPerStep, @JsonProperty("mfu_pct") Double mfuPct,
        @JsonProperty("mbu_pct") Double mbuPct, @JsonProperty("peak") String peak, @JsonProperty("method") String method,
        @JsonProperty("flops_per_token") Double flopsPerToken, @JsonProperty("prefill_flops") Double prefillFlops) {
      boolean legacyLlm = flopsPerToken == null && flopsPerStep == null && flopsPerRequest != null;
      return legacyLlm ? new Efficiency(null, null, mfuPct, mbuPct, peak, method, flopsPerRequest, prefillFlops)
          : new Efficiency(flopsPerRequest, flopsPerStep, mfuPct, mbuPct, peak, method, flopsPerToken, prefillFlops);
    }
  }

  /**
   * How the trials of a case agree (each trial a fresh worker; the case's latency figures pool every trial).
   *
   * @param n trials
   * @param e2eMediansMs each trial's median e2e, ms
   * @param spreadPct (max − min) of the trial medians, % of their median
   * @param ciLowMs lower end of the 95 % CI of the case's median e2e (t over the trial medians), ms
   * @param ciHighMs upper end, ms
   * @param kruskalWallisP p-value of the Kruskal–Wallis test over the trials' samples
   * @param disagree the trials disagree by more than their own spread explains
   */
  public record Trials(int n, List<Double> e2eMediansMs, double spreadPct, Double ciLowMs, Double ciHighMs,
      Double kruskalWallisP, boolean disagree) {}

  /**
   * @param samples telemetry samples
   * @param gpuUtilMeanPct mean GPU utilisation, %
   * @param memoryUsedMaxPct highest GPU memory use, %
   * @param powerMeanW mean board power, W
   * @param energyPerImageJ mean power × measured time / images, J
   */
  public record Telemetry(int samples, Double gpuUtilMeanPct, Double memoryUsedMaxPct, Double powerMeanW, Double energyPerImageJ) {}

  /** The hourly prices a case was costed with; {@code source} is aws-api, cache or catalog. */
  public record Price(BigDecimal spotUsdPerHour, BigDecimal ondemandUsdPerHour, BigDecimal actualUsdPerHour, String source,
      String asOf, String region) {}

  /**
   * What a measured case costs, model load included: per 1000 images, or per million generated tokens. Views switch
   * over it, so a new kind of workload fails to compile until every view prices it.
   */
  public sealed interface Cost {
    /** The saving of spot over on-demand, %, or null without both prices. */
    BigDecimal spotSavingsPct();
  }

  /**
   * Cost per 1000 images and cost efficiency (USD per second per image).
   *
   * @param cost1000ImagesSpotUsd at the spot price, or null without one
   * @param cost1000ImagesOndemandUsd at the on-demand price, or null without one
   * @param cost1000ImagesActualUsd at the price of the lifecycle it ran as
   * @param costEfficiencySpotUsdPerSPerImage spot price per second per image of a request
   * @param costEfficiencyOndemandUsdPerSPerImage on-demand price per second per image of a request
   * @param spotSavingsPct the saving of spot over on-demand, %
   */
  public record ImageCost(BigDecimal cost1000ImagesSpotUsd, BigDecimal cost1000ImagesOndemandUsd,
      BigDecimal cost1000ImagesActualUsd, BigDecimal costEfficiencySpotUsdPerSPerImage,
      BigDecimal costEfficiencyOndemandUsdPerSPerImage, BigDecimal spotSavingsPct) implements Cost {}

  /**
   * Cost per million generated tokens.
   *
   * @param cost1MTokensSpotUsd at the spot price, or null without one
   * @param cost1MTokensOndemandUsd at the on-demand price, or null without one
   * @param cost1MTokensActualUsd at the price of the lifecycle it ran as
   * @param spotSavingsPct the saving of spot over on-demand, %
   */
  public record TokenCost(BigDecimal cost1MTokensSpotUsd, BigDecimal cost1MTokensOndemandUsd, BigDecimal cost1MTokensActualUsd,
      BigDecimal spotSavingsPct) implements Cost {}

  /**
   * The failure kind, its message, and the last lines of the worker's log. Both are bounded, as a worker's output is
   * not: the message keeps its last {@link #MESSAGE_CHARS} characters, each log line its first
   * {@link #LOG_LINE_CHARS} and the log tail its last lines up to {@link #LOG_TAIL_CHARS}; each cut is marked
   * {@code …[cut N bytes]} where it was cut. Bounding a bounded failure changes nothing: a stored result reads back equal.
   */
  public record Failure(FailureKind kind, String message, List<String> logTail) {
    /** The most characters of a failure's message kept, the mark of a cut included. */
    public static final int MESSAGE_CHARS = 4096;
    /** The most characters of a failure's log tail kept (all lines together), the mark of a cut included. */
    public static final int LOG_TAIL_CHARS = 16384;
    /** The most characters of one line of the log tail kept, the mark of a cut included. */
    public static final int LOG_LINE_CHARS = 1024;
    private static final java.util.regex.Pattern MARK = java.util.regex.Pattern.compile("…\\[cut (\\d{1,18}) bytes\\]$");

    public Failure {
      message = keepEnd(message, MESSAGE_CHARS);
      logTail = logTail == null ? List.of()
          : List.copyOf(keepLastLines(logTail.stream().map(l -> keepStart(l, LOG_LINE_CHARS)).toList(), LOG_TAIL_CHARS));
    }

    /** The last characters of {@code text}, at most {@code max} with the mark {@code …[cut N bytes]} in front. */
    static String keepEnd(String text, int max) {
      if (text == null || text.length() <= max) return text;
      // the mark's length depends on N: find the longest tail that fits with its own mark
      for (int keep = max - 16; keep > 0; keep--) {
        String cut = text.substring(0, text.length() - keep);
        String mark = "…[cut " + cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes]";
        if (mark.length() + keep <= max) return mark + text.substring(text.length() - keep);
      }
      return text.substring(text.length() - max);
    }

    /** The first characters of a log line, at most {@code max} with the mark behind; a mark it had adds to the count. */
    static String keepStart(String line, int max) {
      if (line == null || line.length() <= max) return line;
      var m = MARK.matcher(line);
      long before = m.find() ? Long.parseLong(m.group(1)) : 0;
      String text = before > 0 ? line.substring(0, m.start()) : line;
      for (int keep = max - 16; keep > 0; keep--) {
        String mark = "…[cut " + (before + text.substring(keep).getBytes(java.nio.charset.StandardCharsets.UTF_8).length) + " bytes]";
        if (mark.length() + keep <= max) return text.substring(0, keep) + mark;
      }
      return line.substring(0, max);
    }

    private static List<String> keepLastLines(List<String> lines, int max) {
      int total = 0;
      for (String l : lines) total += l == null ? 0 : l.length();
      if (total <= max) return lines;
      java.util.ArrayDeque<String> kept = new java.util.ArrayDeque<>();
      int left = max;
      for (int i = lines.size() - 1; i >= 0 && left > 0; i--) {
        String l = lines.get(i) == null ? "" : lines.get(i);
        if (l.length() <= left) {
          kept.addFirst(l);
          left -= l.length();
        } else {
          if (left > 32) kept.addFirst(keepEnd(l, left));
          break;
        }
      }
      return List.copyOf(kept);
    }
  }
}
