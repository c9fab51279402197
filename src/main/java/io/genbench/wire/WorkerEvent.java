package io.genbench.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.genbench.Json;
import java.util.List;
import java.util.Map;

/**
 * One line of the event stream (protocol/PROTOCOL.md): written by the worker, or by the controller for the
 * {@code case}, {@code price} and controller-decided {@code failed} events. Times are integer nanoseconds, sizes bytes.
 * Unknown fields are ignored so an older controller reads a newer worker.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = WorkerEvent.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = WorkerEvent.CaseSpec.class, name = "case"),
    @JsonSubTypes.Type(value = WorkerEvent.Priced.class, name = "price"),
    @JsonSubTypes.Type(value = WorkerEvent.Loaded.class, name = "loaded"),
    @JsonSubTypes.Type(value = WorkerEvent.Trial.class, name = "trial"),
    @JsonSubTypes.Type(value = WorkerEvent.Slot.class, name = "slot"),
    @JsonSubTypes.Type(value = WorkerEvent.Timing.class, name = "timing"),
    @JsonSubTypes.Type(value = WorkerEvent.MeasuredAs.class, name = "measured_as"),
    @JsonSubTypes.Type(value = WorkerEvent.Warmup.class, name = "warmup"),
    @JsonSubTypes.Type(value = WorkerEvent.Warmed.class, name = "warmed"),
    @JsonSubTypes.Type(value = WorkerEvent.Profile.class, name = "profile"),
    @JsonSubTypes.Type(value = WorkerEvent.Flops.class, name = "flops"),
    @JsonSubTypes.Type(value = WorkerEvent.Sample.class, name = "sample"),
    @JsonSubTypes.Type(value = WorkerEvent.Memory.class, name = "memory"),
    @JsonSubTypes.Type(value = WorkerEvent.Load.class, name = "load"),
    @JsonSubTypes.Type(value = WorkerEvent.Telemetry.class, name = "telemetry"),
    @JsonSubTypes.Type(value = WorkerEvent.Failed.class, name = "failed"),
    @JsonSubTypes.Type(value = WorkerEvent.Done.class, name = "done"),
    @JsonSubTypes.Type(value = WorkerEvent.JobDone.class, name = "job_done")})
@JsonIgnoreProperties(ignoreUnknown = true)
public sealed interface WorkerEvent {

  /** The case this event belongs to; null for {@code hello}. */
  String caseId();

  /** Versions, devices and topology of the worker (or the in-JVM backend). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Hello(String caseId, String workerVersion, Integer protocol, String backend, String python, String torch, String cuda,
      String device, List<Map<String, Object>> devices, String driver, String hostname) implements WorkerEvent {}

  /** The case as run (controller-written, first line of events.jsonl). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record CaseSpec(String caseId, WorkerCase spec) implements WorkerEvent {}

  /**
   * The prices this case is costed with, with their source and age (controller-written). {@code actualInstance} is the
   * instance type the case ran on as detected or declared ({@code --actual-instance}), null when unknown (a local
   * host); {@code pricedAs} the type whose prices these are (the actual one when known, else the requested one).
   * {@code gpuShare} is the fraction of the instance the case uses (its GPUs / the instance's GPUs, at most 1); the
   * prices are already that share of the instance's. Event logs written before {@code priced_as} existed copied the
   * requested type into {@code actualInstance}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Priced(String caseId, String instanceType, String actualInstance, String pricedAs, String lifecycle, String region,
      String zone, Double spotUsdPerHour, Double ondemandUsdPerHour, String source, String asOf, Double gpuShare)
      implements WorkerEvent {}

  /**
   * Model built or loaded; {@code loadNs} is what loading cost (the model's first build in its worker, reported alike
   * for every case of it); {@code knobs} the knobs as the worker resolved them; {@code reused} true where the case found
   * the model built by an earlier case (no build this time), false where it was built for it, null from workers that
   * do not say (then left out of the written line).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Loaded(String caseId, long loadNs, String weights, Long parameters, Map<String, Long> components,
      Map<String, Object> knobs, @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Boolean reused)
      implements WorkerEvent {
    public Loaded(String caseId, long loadNs, String weights, Long parameters, Map<String, Long> components,
        Map<String, Object> knobs) {
      this(caseId, loadNs, weights, parameters, components, knobs, null);
    }

    public Loaded(String caseId, long loadNs, String weights, Long parameters, Map<String, Long> components) {
      this(caseId, loadNs, weights, parameters, components, null, null);
    }

    /** Whether this case built (or loaded) the model: not where it found it built. */
    public boolean built() {
      return !Boolean.TRUE.equals(reused);
    }
  }

  /** One warm-up iteration: never measured. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Warmup(String caseId, int iteration, long e2eNs) implements WorkerEvent, Iteration {
    @Override
    public String iterationLabel() {
      return "warm-up " + (iteration + 1);
    }
  }

  /**
   * Warm-up is over: {@code iterations} warm-up iterations ran; {@code steady} says whether the last {@code window}
   * of them each lay within {@code tolerance} (a fraction) of their median, and that median within {@code tolerance}
   * of the fastest median of any window so far; {@code spread} is that window's (max − min) / median. False when the maximum
   * count or time ran out first.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Warmed(String caseId, int iterations, boolean steady, int window, double tolerance, Double spread)
      implements WorkerEvent {}

  /**
   * One extra iteration, outside the measured ones, under a profiler: per denoising step its wall time and the time
   * the GPU spent running kernels (the union of kernel intervals), and their ratio over all steps. GPU cases only.
   *
   * @param method how the kernel time was measured, e.g. {@code torch.profiler}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Profile(String caseId, String method, List<Long> stepWallNs, List<Long> stepKernelNs, Double busyFraction)
      implements WorkerEvent {
    public Profile {
      stepWallNs = stepWallNs == null ? List.of() : List.copyOf(stepWallNs);
      stepKernelNs = stepKernelNs == null ? List.of() : List.copyOf(stepKernelNs);
    }
  }

  /**
   * The work one request does, counted once per model and shape: floating-point operations (a multiply-add is 2) per
   * request and per denoising step (CFG included); for LLMs per request (prefill + every decode step), per generated
   * token and of the prefill, and the bytes an LLM decode step reads per decode step (weights + KV cache, at the mean
   * context length). Null where not counted; LLM events from workers before {@code prefill_flops} have no request count.
   *
   * @param method how they were counted, e.g. {@code torch.utils.flop_counter}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Flops(String caseId, String method, Double flopsPerRequest, Double flopsPerStep, Double flopsPerToken,
      Double decodeBytesPerStep, Double prefillFlops) implements WorkerEvent {
    /** Counts without a prefill (diffusion, and LLM events from workers before {@code prefill_flops}). */
    public Flops(String caseId, String method, Double flopsPerRequest, Double flopsPerStep, Double flopsPerToken,
        Double decodeBytesPerStep) {
      this(caseId, method, flopsPerRequest, flopsPerStep, flopsPerToken, decodeBytesPerStep, null);
    }
  }

  /** The events after this one are trial {@code trial} of {@code of} of the case, in a fresh worker (controller-written). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Trial(String caseId, int trial, int of) implements WorkerEvent {}

  /**
   * Where a case ran when several workers ran at once ({@code genbench run --gpus}), controller-written just before
   * its {@code done}: the GPU, how many workers the run had, and the fewest and most other workers that ran beside it
   * while it was open (0 and 0: it ran alone).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Slot(String caseId, String gpu, int workers, int neighboursMin, int neighboursMax) implements WorkerEvent {}

  /**
   * How long one trial of a case held its worker (controller-written, just before its {@code done}; the estimator of
   * later runs reads it). {@code wallNs}: from the previous case's {@code done} in the same group's trial, or for its
   * first case from when the group was handed to the executor (a worker's start included where one was started for it),
   * to this {@code done}: the model build, warm-up, measuring and everything around them. {@code startNs}: for that first
   * case, the part of {@code wallNs} before the {@code hello} of a worker started for the group (process start, imports,
   * device initialisation); null for later cases, and for a group run by a kept worker that was already up.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Timing(String caseId, long wallNs, Long startNs) implements WorkerEvent {}

  /**
   * The case was not run: on this machine it is the same work as {@code measuredCase} (they differ only in the instance
   * type they are priced as), which was measured once; every event of this log after this one except its own
   * {@code case} and {@code price} is that case's, with {@code case_id} rewritten (controller-written, after the
   * {@code price} event).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record MeasuredAs(String caseId, String measuredCase) implements WorkerEvent {}

  /**
   * One measured request. LLM cases fill the token fields; diffusion cases the step fields. {@code seq} numbers the
   * measured samples of one case and trial from 0 (each writer counts its own); a reader counts a sample once per
   * {@code seq} and rejects a second one. Null in logs written before it existed, where {@code iteration} stands in.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Sample(String caseId, int iteration, String phase, long e2eNs, long textEncodeNs, List<Long> stepNs, long decodeNs,
      int images, Long ttftNs, Long prefillNs, List<Long> decodeTokenNs, Integer tokens, Integer seq)
      implements WorkerEvent, Iteration {
    @Override
    public String iterationLabel() {
      return "iteration " + (iteration + 1);
    }

    public Sample {
      stepNs = stepNs == null ? List.of() : List.copyOf(stepNs);
      decodeTokenNs = decodeTokenNs == null ? List.of() : List.copyOf(decodeTokenNs);
    }

    /** A sample without a sequence number (as logs before {@code seq} hold them). */
    public Sample(String caseId, int iteration, String phase, long e2eNs, long textEncodeNs, List<Long> stepNs, long decodeNs,
        int images, Long ttftNs, Long prefillNs, List<Long> decodeTokenNs, Integer tokens) {
      this(caseId, iteration, phase, e2eNs, textEncodeNs, stepNs, decodeNs, images, ttftNs, prefillNs, decodeTokenNs, tokens, null);
    }

    /** What tells this sample apart within its case and trial: {@code seq}, or {@code iteration} where it has none. */
    public int sequence() {
      return seq != null ? seq : iteration;
    }

    /** The denoising loop: the sum of the steps. */
    public long inferenceNs() {
      long sum = 0;
      for (long s : stepNs) sum += s;
      return sum;
    }
  }

  /**
   * Peak memory of the case. {@code kind} says what the two figures are: {@code cuda} (the allocator's peak
   * allocated and reserved bytes since the case started), {@code rss-delta} (the process's peak resident set during
   * the case minus {@code baselineBytes}, its resident set when the case started; both fields), or null from older
   * workers ({@code device: cpu} then meant the process's lifetime peak RSS).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Memory(String caseId, long peakAllocatedBytes, long peakReservedBytes, String device, String kind, Long baselineBytes)
      implements WorkerEvent {
    public Memory(String caseId, long peakAllocatedBytes, long peakReservedBytes, String device) {
      this(caseId, peakAllocatedBytes, peakReservedBytes, device, null, null);
    }
  }

  /**
   * What else used the machine while the case's measured iterations ran, written once after them: the window's length,
   * the 1-minute load average at its end, the online CPUs, and CPU time as % of the whole machine (all cores, 0–100):
   * every other process's ({@code /proc/stat} busy time minus this process's own from {@code /proc/self/stat}, minus
   * steal), the hypervisor's steal, and this process's. Each figure is null where the platform does not say.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Load(String caseId, long windowNs, @com.fasterxml.jackson.annotation.JsonProperty("load_avg_1m") Double loadAvg1m, Integer cpus, Double otherCpuPct, Double stealPct,
      Double selfCpuPct) implements WorkerEvent {}

  /**
   * One GPU telemetry window: utilisation %, memory used %, power W, ending {@code tNs} after the case started;
   * {@code measuring} says whether it lies in the measured iterations (null from workers that do not say).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Telemetry(String caseId, long tNs, Double gpuUtilPct, Double memoryUsedPct, Double powerW, Boolean measuring)
      implements WorkerEvent {}

  /** The case failed; {@code kind} says why (an unknown or missing kind reads as {@link FailureKind#WORKER_ERROR}). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Failed(String caseId, FailureKind kind, String message) implements WorkerEvent {
    public Failed {
      if (kind == null) kind = FailureKind.WORKER_ERROR;
    }
  }

  /** The case is over (after {@code failed} too). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Done(String caseId) implements WorkerEvent {}

  /**
   * A kept worker ({@code --jobs-stdin}) ended the job it read from stdin: every case of it got its {@code done}, or
   * {@code error} says why none ran. Seen by the executor only, never stored in a case's events; {@code caseId} is null.
   *
   * @param job the job file's path as the worker read it
   * @param jobs how many jobs this worker has ended, this one included
   * @param cases the cases the job held (0 when it could not be read)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record JobDone(String caseId, String job, int jobs, int cases, String error) implements WorkerEvent {}

  /** Reader and writer built once: events are parsed on the hot path of every measured iteration. */
  final class Lines {
    private Lines() {}

    static final com.fasterxml.jackson.databind.ObjectReader READER = Json.MAPPER.readerFor(WorkerEvent.class);
    static final com.fasterxml.jackson.databind.ObjectWriter WRITER = Json.MAPPER.writerFor(WorkerEvent.class);
  }

  /** An iteration event, for progress display. */
  interface Iteration {
    String iterationLabel();
  }

  /**
   * Parses one line; a line that is not an event is an {@link IllegalArgumentException} naming it. A {@code sample}
   * must carry every timing it counts with: {@code e2e_ns}, {@code text_encode_ns}, {@code decode_ns} and each of
   * {@code step_ns} present, integers and ≥ 0 (the optional LLM timings too, where present), and {@code iteration},
   * {@code images}, {@code tokens}, {@code seq} integers ≥ 0: a missing figure would otherwise read as 0 ns and a
   * negative or fractional one would change the statistics silently.
   */
  static WorkerEvent parse(String line) {
    try {
      com.fasterxml.jackson.databind.JsonNode tree = Lines.READER.readTree(line);
      if (tree == null || !tree.isObject()) throw new IllegalArgumentException(notAnEvent(line, "not a JSON object"));
      if ("sample".equals(tree.path("type").asText(null))) {
        String problem = SampleCheck.problem(tree);
        if (problem != null) throw new IllegalArgumentException(notAnEvent(line, problem));
      }
      return Lines.READER.treeToValue(tree, WorkerEvent.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(notAnEvent(line, e.getOriginalMessage()), e);
    }
  }

  private static String notAnEvent(String line, String why) {
    String shown = line.length() > 200 ? line.substring(0, 200) + "..." : line;
    return "not a worker event: " + shown + " (" + why + ")";
  }

  /** The timings a {@code sample} line must carry, checked on the JSON before it becomes a {@link Sample}. */
  final class SampleCheck {
    private SampleCheck() {}

    private static final List<String> REQUIRED_NS = List.of("e2e_ns", "text_encode_ns", "decode_ns");
    private static final List<String> OPTIONAL_NS = List.of("ttft_ns", "prefill_ns");
    private static final List<String> COUNTS = List.of("iteration", "images");
    private static final List<String> OPTIONAL_COUNTS = List.of("tokens", "seq");

    /** What is wrong with a sample's figures, or null when nothing is. */
    static String problem(com.fasterxml.jackson.databind.JsonNode s) {
      for (String f : REQUIRED_NS) {
        String p = count(s, f, false, "ns");
        if (p != null) return p;
      }
      for (String f : COUNTS) {
        String p = count(s, f, false, "");
        if (p != null) return p;
      }
      for (String f : OPTIONAL_NS) {
        String p = count(s, f, true, "ns");
        if (p != null) return p;
      }
      for (String f : OPTIONAL_COUNTS) {
        String p = count(s, f, true, "");
        if (p != null) return p;
      }
      String p = list(s, "step_ns", false);
      return p != null ? p : list(s, "decode_token_ns", true);
    }

    private static String count(com.fasterxml.jackson.databind.JsonNode s, String field, boolean optional, String unit) {
      var v = s.get(field);
      if (v == null || v.isNull()) return optional ? null : "sample lacks " + field;
      return valid(v) ? null : "sample " + field + " must be an integer" + (unit.isEmpty() ? "" : " " + unit) + " >= 0, was " + v;
    }

    private static String list(com.fasterxml.jackson.databind.JsonNode s, String field, boolean optional) {
      var v = s.get(field);
      if (v == null || v.isNull()) return optional ? null : "sample lacks " + field;
      if (!v.isArray()) return "sample " + field + " must be a list of integer ns >= 0, was " + v;
      for (var x : v) {
        if (!valid(x)) return "sample " + field + " must hold integer ns >= 0, holds " + x;
      }
      return null;
    }

    private static boolean valid(com.fasterxml.jackson.databind.JsonNode v) {
      return v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0;
    }
  }

  /** One compact JSON line, {@code type} first. */
  static String toLine(WorkerEvent event) {
    try {
      return Lines.WRITER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
