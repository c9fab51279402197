package io.genbench.metrics;

import java.util.List;

/**
 * Every metric genbench exports, in one list: a dashboard (or a test that checks one) reads names, types and labels
 * here. Names are in base units ({@code _seconds}, {@code _bytes}); counters are exported with the {@code _total}
 * suffix and histograms as {@code _bucket}, {@code _sum} and {@code _count} (see {@link #series()}).
 *
 * <p>The LLM path keeps vLLM's names ({@code vllm:*}, label {@code model_name}), so dashboards built for vLLM keep
 * working against it.
 */
public enum Metric {
  // genbench serve
  REQUESTS("genbench_requests", Type.COUNTER, Scope.SERVE, "HTTP requests answered, by endpoint and status code",
      "endpoint", "status"),
  REQUEST_E2E_SECONDS("genbench_request_e2e_seconds", Type.HISTOGRAM, Scope.SERVE,
      "Image request latency in the server, from its headers read to its response written (queue + compute + encoding)",
      "model"),
  REQUEST_QUEUE_SECONDS("genbench_request_queue_seconds", Type.HISTOGRAM, Scope.SERVE,
      "Time an image request waited in the batcher's queue before its batch started", "model"),
  REQUEST_COMPUTE_SECONDS("genbench_request_compute_seconds", Type.HISTOGRAM, Scope.SERVE,
      "Compute time of the batch an image request ran in (shared by every request of the batch)", "model"),
  REQUEST_ENCODE_SECONDS("genbench_request_encode_seconds", Type.HISTOGRAM, Scope.SERVE,
      "Time from an image request's batch done to its response ready: PNG, base64 and JSON, its batch's answers released together",
      "model"),
  BATCH_SIZE("genbench_batch_size", Type.HISTOGRAM, Scope.SERVE, "Images per batch the model ran", "model"),
  QUEUE_REQUESTS("genbench_queue_requests", Type.GAUGE, Scope.SERVE, "Requests waiting in the batcher's queue now"),
  IMAGES("genbench_images", Type.COUNTER, Scope.SERVE, "Images generated", "model"),
  TOKENS("genbench_tokens", Type.COUNTER, Scope.SERVE, "Tokens processed on the LLM path, by kind (prompt, generation)",
      "model", "kind"),
  WORKER_RESTARTS("genbench_worker_restarts", Type.COUNTER, Scope.SERVE,
      "Restarts of a supervised worker process after it crashed", "backend"),
  READY("genbench_ready", Type.GAUGE, Scope.SERVE, "1 once the model is built and requests are served, else 0"),
  // GPU telemetry (absent without a GPU)
  GPU_UTILIZATION_RATIO("genbench_gpu_utilization_ratio", Type.GAUGE, Scope.GPU,
      "Fraction of the last sample period the GPU was busy (NVML, 0..1)", "gpu"),
  GPU_MEMORY_USED_BYTES("genbench_gpu_memory_used_bytes", Type.GAUGE, Scope.GPU, "GPU memory in use (NVML)", "gpu"),
  GPU_POWER_WATTS("genbench_gpu_power_watts", Type.GAUGE, Scope.GPU, "GPU power draw (NVML)", "gpu"),
  // genbench run --metrics-port
  RUN_CASES("genbench_run_cases", Type.GAUGE, Scope.RUN, "Cases this run measures"),
  RUN_CASES_DONE("genbench_run_cases_done", Type.GAUGE, Scope.RUN, "Cases of this run with a result"),
  RUN_CURRENT_CASE("genbench_run_current_case", Type.GAUGE, Scope.RUN, "1 for each case being measured now", "case"),
  RUN_SAMPLES("genbench_run_samples", Type.GAUGE, Scope.RUN, "Measured samples recorded so far in this run"),
  RUN_ETA_SECONDS("genbench_run_eta_seconds", Type.GAUGE, Scope.RUN,
      "Seconds until the run ends at the pace of its finished cases (absent before the first)"),
  // genbench load --metrics-port
  LOAD_REQUESTS("genbench_load_requests", Type.COUNTER, Scope.LOAD,
      "Requests genbench load finished, by target, level, phase (warmup, measure), outcome (ok or the error kind:"
          + " http-status, timeout, connection, malformed, unfinished) and HTTP status (0: none came)",
      "target", "level", "phase", "outcome", "status"),
  LOAD_RESPONSE_SECONDS("genbench_load_response_seconds", Type.HISTOGRAM, Scope.LOAD,
      "Response time of successful measured requests: done - scheduled (no coordinated omission)", "target", "level"),
  LOAD_SERVICE_SECONDS("genbench_load_service_seconds", Type.HISTOGRAM, Scope.LOAD,
      "Service time of successful measured requests: done - sent", "target", "level"),
  LOAD_DISPATCH_LAG_SECONDS("genbench_load_dispatch_lag_seconds", Type.HISTOGRAM, Scope.LOAD,
      "Dispatch lag of sent measured requests: sent - scheduled (the generator's lateness and the wait for a connection)",
      "target", "level"),
  LOAD_OFFERED_REQUESTS_PER_SECOND("genbench_load_offered_requests_per_second", Type.GAUGE, Scope.LOAD,
      "Offered rate of each open-loop level run so far (absent for closed loops)", "target", "level"),
  LOAD_ACHIEVED_REQUESTS_PER_SECOND("genbench_load_achieved_requests_per_second", Type.GAUGE, Scope.LOAD,
      "Successful requests of each level so far per second since it started (warm-up included); frozen when it ends",
      "target", "level"),
  LOAD_CURRENT_LEVEL("genbench_load_current_level", Type.GAUGE, Scope.LOAD, "1 for the level being run now, 0 for earlier ones",
      "target", "level"),
  // the LLM path: vLLM's names
  VLLM_TIME_TO_FIRST_TOKEN_SECONDS("vllm:time_to_first_token_seconds", Type.HISTOGRAM, Scope.LLM,
      "Histogram of time to first token in seconds.", "model_name"),
  VLLM_INTER_TOKEN_LATENCY_SECONDS("vllm:inter_token_latency_seconds", Type.HISTOGRAM, Scope.LLM,
      "Histogram of inter-token latency in seconds.", "model_name"),
  VLLM_REQUEST_QUEUE_TIME_SECONDS("vllm:request_queue_time_seconds", Type.HISTOGRAM, Scope.LLM,
      "Histogram of time spent in WAITING phase for request.", "model_name"),
  VLLM_E2E_REQUEST_LATENCY_SECONDS("vllm:e2e_request_latency_seconds", Type.HISTOGRAM, Scope.LLM,
      "Histogram of e2e request latency in seconds.", "model_name");

  /** Latency buckets, seconds: 1 ms to 1 h, with the usual SLO values (0.1, 0.25, 0.5, 1, 2, 5 s …) on boundaries. */
  public static final List<Double> SECONDS_BUCKETS = List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0);
  /** Dispatch-lag buckets, seconds: 10 µs to 1 h (a generator's lag is tens of microseconds when it keeps up). */
  public static final List<Double> LAG_BUCKETS = java.util.stream.Stream.concat(
      java.util.stream.Stream.of(0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005), SECONDS_BUCKETS.stream()).toList();
  /** Batch-size buckets: powers of two to 256. */
  public static final List<Double> BATCH_BUCKETS = List.of(1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0);

  /** How Prometheus types the metric. */
  public enum Type { COUNTER, GAUGE, HISTOGRAM }

  /**
   * Which process exports it: {@code serve}, {@code serve} with a GPU, {@code run --metrics-port},
   * {@code load --metrics-port}, the LLM path.
   */
  public enum Scope { SERVE, GPU, RUN, LOAD, LLM }

  private final String metricName;
  private final Type type;
  private final Scope scope;
  private final String help;
  private final List<String> labels;

  Metric(String metricName, Type type, Scope scope, String help, String... labels) {
    this.metricName = metricName;
    this.type = type;
    this.scope = scope;
    this.help = help;
    this.labels = List.of(labels);
  }

  /** The name as registered, without the {@code _total} a counter gets on export. */
  public String metricName() {
    return metricName;
  }

  public Type type() {
    return type;
  }

  public Scope scope() {
    return scope;
  }

  public String help() {
    return help;
  }

  public List<String> labels() {
    return labels;
  }

  /** Histogram bucket upper bounds (empty for counters and gauges). */
  public List<Double> buckets() {
    if (type != Type.HISTOGRAM) return List.of();
    if (this == BATCH_SIZE) return BATCH_BUCKETS;
    return this == LOAD_DISPATCH_LAG_SECONDS ? LAG_BUCKETS : SECONDS_BUCKETS;
  }

  /** The series names a query uses: {@code x_total}; {@code x_bucket}, {@code x_sum}, {@code x_count}; or {@code x}. */
  public List<String> series() {
    return switch (type) {
      case COUNTER -> List.of(metricName + "_total");
      case GAUGE -> List.of(metricName);
      case HISTOGRAM -> List.of(metricName + "_bucket", metricName + "_sum", metricName + "_count");
    };
  }
}
