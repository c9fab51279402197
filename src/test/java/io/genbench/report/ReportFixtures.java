package io.genbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.cost.CostModel;
import io.genbench.result.CaseResult;
import io.genbench.result.ResultFile;
import io.genbench.result.CaseStatus;
import io.genbench.wire.FailureKind;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Case results with realistic numbers, built as CaseAnalyzer would build them. */
public final class ReportFixtures {
  static final String NOTE = "bundled catalog: AWS EC2 On-Demand list prices for Linux in us-east-1; spot prices are"
      + " typical recent spot prices (expect +-30%).";

  private ReportFixtures() {}

  /** The golden run: one SUCCESS with prices, one OOM_SKIPPED, one FAILED worker_error. */
  static RunReport goldenRun() {
    return new RunReport("20261102-091403-a1b2", environment("torch-cuda", "local"),
        List.of(sd21OnG5(), sdxlOomOnG5(), sdxlWorkerErrorOnG6e()), NOTE);
  }

  /** Two successes (the cheaper one slower), the OOM cell and the worker error. */
  static RunReport twoSuccesses() {
    return new RunReport("20261102-101500-c3d4", environment("torch-cuda", "local"),
        List.of(sd21OnG5(), sd21OnG6e(), sdxlOomOnG5(), sdxlWorkerErrorOnG6e()), NOTE);
  }

  static RunReport nothingSucceeded() {
    return new RunReport("20261102-111500-e5f6", environment("torch-cuda", "local"),
        List.of(sdxlOomOnG5(), sdxlWorkerErrorOnG6e()), NOTE);
  }

  static RunReport onnxCpu() {
    return new RunReport("20261102-121500-0a0b", environment("onnx-cpu", "random"), List.of(standInOnCpu()), NOTE);
  }

  static RunReport llm() {
    return new RunReport("20261102-131500-1c1d", environment("torch-cuda", "local"), List.of(opt125mOnG6(), sd21OnG5()), NOTE);
  }

  static JsonNode environment(String backend, String weights) {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("genbench_version", "0.1.0");
    env.put("git_commit", "3f2c1ab");
    env.put("backend", backend);
    env.put("weights", weights);
    env.put("device", "onnx-cpu".equals(backend) ? "cpu" : "NVIDIA A10G");
    env.put("host", "bench-01");
    env.put("java", "21.0.5");
    env.put("os", "Linux 6.8.0 amd64");
    env.put("started_at", "2026-11-02T09:14:03Z");
    env.put("finished_at", "2026-11-02T09:31:47Z");
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("warmup_iterations", 2);
    settings.put("min_iterations", 10);
    settings.put("max_iterations", 100);
    settings.put("min_duration_s", 5.0);
    env.put("settings", settings);
    return Json.MAPPER.valueToTree(env);
  }

  public static CaseResult sd21OnG5() {
    return success("sd-2-1-g5xlarge-b1-s20-float16", "g5.xlarge", "us-east-1a", "NVIDIA A10G", 28.512,
        new long[] {1518204311L, 1521880042L, 1519447913L, 1524019377L, 1517662508L, 1522301896L, 1520115734L,
            1519903261L, 1523488120L, 1531207654L},
        70_400_000L, 12_310_000L, 96_240_000L, 6_442_450_944L, "0.4024", "1.006");
  }

  /** The cheapest and fastest case of its run, had g6e.xlarge's 48 GB held its 55.3 GB reserved peak (the H200 figure). */
  public static CaseResult sdxlTooBigForG6e() {
    return success("sdxl-g6exlarge-b4-s20-float32", "g6e.xlarge", "us-east-1c", "NVIDIA H200", 24.087,
        new long[] {303118420L, 301774003L, 305660118L, 302941376L, 304003512L, 300882764L, 303507119L, 302215840L,
            306318227L, 302660091L},
        11_800_000L, 7_120_000L, 18_330_000L, 55_300_000_000L, "0.1", "0.2");
  }

  static CaseResult sd21OnG6e() {
    return success("sd-2-1-g6exlarge-b1-s20-float16", "g6e.xlarge", "us-east-1c", "NVIDIA L40S", 24.087,
        new long[] {903118420L, 901774003L, 905660118L, 902941376L, 904003512L, 900882764L, 903507119L, 902215840L,
            906318227L, 902660091L},
        41_800_000L, 7_120_000L, 58_330_000L, 6_501_171_200L, "0.7444", "1.861");
  }

  private static CaseResult success(String id, String instance, String zone, String device, double loadS, long[] e2eNs,
      long stepNs, long textNs, long decodeNs, long reservedBytes, String spot, String ondemand) {
    LatencySummary e2e = LatencySummary.of(e2eNs);
    Map<String, LatencySummary> latency = new LinkedHashMap<>();
    latency.put("e2e", e2e);
    latency.put("inference", LatencySummary.of(Arrays.stream(e2eNs).map(ns -> ns - textNs - decodeNs).toArray()));
    latency.put("per_step", LatencySummary.of(spread(stepNs, 200)));
    latency.put("text_encode", LatencySummary.of(spread(textNs, 10)));
    latency.put("decode", LatencySummary.of(spread(decodeNs, 10)));
    long totalNs = Arrays.stream(e2eNs).sum();
    double inferenceS = e2e.meanNs() / 1e9;
    double imagesPerS = e2eNs.length / (totalNs / 1e9);
    BigDecimal spotPrice = new BigDecimal(spot);
    BigDecimal ondemandPrice = new BigDecimal(ondemand);
    var price = new CaseResult.Price(spotPrice, ondemandPrice, spotPrice, "catalog", "2026-11-01", "us-east-1");
    var cost = ResultFile.CostFile.of(new CaseResult.ImageCost(CostModel.costPer1000Images(spotPrice, inferenceS, loadS),
        CostModel.costPer1000Images(ondemandPrice, inferenceS, loadS), CostModel.costPer1000Images(spotPrice, inferenceS, loadS),
        CostModel.usdPerSecondPerImage(spotPrice, 1), CostModel.usdPerSecondPerImage(ondemandPrice, 1),
        CostModel.spotSavingsPct(spotPrice, ondemandPrice)));
    return new ResultFile(id, "stabilityai/stable-diffusion-2-1", "SD2.1", instance, instance, "spot", zone, 1, 20, "512x512",
        "float16", "torch-cuda", "local", device, loadS, 2, e2eNs.length, 1, latency, inferenceS, inferenceS, imagesPerS,
        null, new CaseResult.Memory(reservedBytes - 1_073_741_824L, reservedBytes, "cuda"),
        new CaseResult.Telemetry(16, 97.2, 28.4, 284.6, 284.6 / imagesPerS), price, cost, Verdict.of(e2e),
        CaseStatus.SUCCESS, null, null, null, null, null, null, null).toResult();
  }

  static CaseResult sdxlOomOnG5() {
    return new ResultFile("sdxl-g5xlarge-b4-s20-float32", "stabilityai/stable-diffusion-xl-base-1.0", "SDXL", "g5.xlarge",
        "g5.xlarge", "spot", "us-east-1b", 4, 20, "1024x1024", "float32", "torch-cuda", "local", "NVIDIA A10G", 41.237, 0, 0,
        4, Map.of(), null, null, null, null, null, null, null, null, null, CaseStatus.OOM_SKIPPED,
        new CaseResult.Failure(FailureKind.GPU_OUT_OF_MEMORY,
            "CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 22.06 GiB total capacity; 19.87 GiB already allocated)",
            List.of("loaded stabilityai/stable-diffusion-xl-base-1.0 in 41.2 s (weights: local)",
                "warmup 1/2: batch 4, 1024x1024, 20 steps",
                "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB")), null, null, null, null, null, null).toResult();
  }

  static CaseResult sdxlWorkerErrorOnG6e() {
    var price = new CaseResult.Price(new BigDecimal("0.7444"), new BigDecimal("1.861"), new BigDecimal("0.7444"), "catalog",
        "2026-11-01", "us-east-1");
    return new ResultFile("sdxl-g6exlarge-b1-s30-bfloat16", "stabilityai/stable-diffusion-xl-base-1.0", "SDXL", "g6e.xlarge",
        "g6e.xlarge", "spot", "us-east-1c", 1, 30, "1024x1024", "bfloat16", "torch-cuda", "local", "NVIDIA L40S", null, 0, 0,
        1, Map.of(), null, null, null, null, null, null, price, null, null, CaseStatus.FAILED,
        new CaseResult.Failure(FailureKind.WORKER_ERROR, "worker exited with code 1",
            List.of("Traceback (most recent call last):",
                "  File \"/opt/genbench/worker/genbench_worker/models/unet.py\", line 212, in forward",
                "    h = self.attn(h, context)",
                "RuntimeError: expected scalar type BFloat16 but found Float, in cross-attention")), null, null, null, null, null, null).toResult();
  }

  static CaseResult standInOnCpu() {
    long[] e2eNs = {2104331207L, 2098720331L, 2111004518L, 2101872209L, 2106553870L};
    LatencySummary e2e = LatencySummary.of(e2eNs);
    Map<String, LatencySummary> latency = new LinkedHashMap<>();
    latency.put("e2e", e2e);
    latency.put("per_step", LatencySummary.of(spread(101_300_000L, 100)));
    double inferenceS = e2e.meanNs() / 1e9;
    BigDecimal spot = new BigDecimal("0.0806");
    BigDecimal ondemand = new BigDecimal("0.2016");
    var cost = ResultFile.CostFile.of(new CaseResult.ImageCost(CostModel.costPer1000Images(spot, inferenceS, 3.2),
        CostModel.costPer1000Images(ondemand, inferenceS, 3.2), CostModel.costPer1000Images(ondemand, inferenceS, 3.2),
        CostModel.usdPerSecondPerImage(spot, 1), CostModel.usdPerSecondPerImage(ondemand, 1),
        CostModel.spotSavingsPct(spot, ondemand)));
    return new ResultFile("sd-2-1-m7ixlarge-b1-s20-float32", "stabilityai/stable-diffusion-2-1", "SD2.1", "m7i.xlarge",
        "m7i.xlarge", "ondemand", null, 1, 20, "64x64", "float32", "onnx-cpu", "random", "cpu", 3.2, 1, 5, 1, latency,
        inferenceS, inferenceS, 1 / inferenceS, null, new CaseResult.Memory(412_000_000L, 412_000_000L, "cpu"), null,
        new CaseResult.Price(spot, ondemand, ondemand, "catalog", "2026-11-01", "us-east-1"), cost, Verdict.of(e2e),
        CaseStatus.SUCCESS, null, null, null, null, null, null, null).toResult();
  }

  static CaseResult opt125mOnG6() {
    long[] e2eNs = {812_330_114L, 809_118_502L, 815_902_337L, 811_004_918L, 810_551_203L, 813_770_045L};
    Map<String, LatencySummary> latency = new LinkedHashMap<>();
    LatencySummary e2e = LatencySummary.of(e2eNs);
    latency.put("e2e", e2e);
    latency.put("ttft", LatencySummary.of(spread(18_200_000L, 6)));
    latency.put("tpot", LatencySummary.of(spread(6_240_000L, 762)));
    double tokensPerS = 6 * 128 / (Arrays.stream(e2eNs).sum() / 1e9);
    return new ResultFile("opt-125m-g6xlarge-b1-float16", "facebook/opt-125m", "OPT-125M", "g6.xlarge", "g6.xlarge", "spot",
        "us-east-1a", 1, 0, "8x8", "float16", "torch-cuda", "local", "NVIDIA L4", 2.4, 2, 6, 0, latency,
        e2e.meanNs() / 1e9, null, null, tokensPerS, new CaseResult.Memory(402_653_184L, 536_870_912L, "cuda"), null,
        new CaseResult.Price(new BigDecimal("0.3219"), new BigDecimal("0.8048"), new BigDecimal("0.3219"), "catalog",
            "2026-11-01", "us-east-1"),
        null, Verdict.of(e2e), CaseStatus.SUCCESS, null, null, null, null, null, null, null).toResult();
  }

  /** The same result, its time measured on {@code measuredOn} and priced as the instance it names (priced, not measured). */
  static CaseResult pricedElsewhere(CaseResult r, String measuredOn) {
    return r.withWhere(new CaseResult.Where(measuredOn, r.actualInstance(), true));
  }

  /** A float16 case the CPU backend cannot run: skipped before the run, not a failure. */
  static CaseResult float16OnCpu() {
    return new ResultFile("sd-2-1-m7ixlarge-b1-s20-float16", "stabilityai/stable-diffusion-2-1", "SD2.1", "m7i.xlarge",
        "m7i.xlarge", "ondemand", null, 1, 20, "64x64", "float16", "onnx-cpu", "random", "cpu", null, 0, 0, 1, Map.of(), null,
        null, null, null, null, null, null, null, null, CaseStatus.UNSUPPORTED,
        new CaseResult.Failure(FailureKind.UNSUPPORTED, "the onnx-cpu backend runs float32 only", List.of()), null, null, null, null, null, null).toResult();
  }

  /** n deterministic samples scattered within ±3% of base. */
  static long[] spread(long base, int n) {
    long[] samples = new long[n];
    for (int i = 0; i < n; i++) samples[i] = base + base * ((i * 7919L) % 61 - 30) / 1000;
    return samples;
  }
}
