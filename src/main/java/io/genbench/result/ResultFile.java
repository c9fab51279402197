package io.genbench.result;

import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.result.CaseResult.Efficiency;
import io.genbench.result.CaseResult.Failure;
import io.genbench.result.CaseResult.GpuBusy;
import io.genbench.result.CaseResult.Memory;
import io.genbench.result.CaseResult.Price;
import io.genbench.result.CaseResult.Telemetry;
import io.genbench.result.CaseResult.Trials;
import io.genbench.result.CaseResult.Warmup;
import io.genbench.result.CaseResult.Where;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The flat shape of {@code result.json} (each element of {@code results.json}'s {@code cases}): the one mapping between
 * the typed {@link CaseResult} and its files, in the seed's field names and order (snake_case through the shared Jackson
 * configuration). An LLM case is written with 0 images per request and null image figures, a diffusion case with null
 * token figures, a measured case with a null failure and a failed one with null cost, verdict, efficiency and trials.
 * Reading inverts it: 0 images per request is an LLM case, a failure (or a status other than {@code SUCCESS}) a failed one.
 */
public record ResultFile(
    String caseId, String model, String modelLabel, String requestedInstance, String actualInstance, String lifecycle,
    String zone, int batchSize, int inferenceSteps, String resolution, String precision, String backend, String weights,
    String device, Double modelLoadS, int warmupIterations, int iterations, int imagesPerRequest,
    Map<String, LatencySummary> latency, Double inferenceTimeS, Double timePerImageS, Double imagesPerS, Double tokensPerS,
    Memory memory, Telemetry telemetry, Price price, CostFile cost, Verdict verdict, CaseStatus status, Failure failure,
    Map<String, Object> knobs, Where where, Warmup warmup, GpuBusy gpuBusy, Efficiency efficiency, Trials trials) {

  /** The file of a result. */
  public static ResultFile of(CaseResult r) {
    CaseResult.Spec s = r.spec();
    CaseResult.Run run = r.run();
    int steps;
    String resolution;
    int imagesPerRequest;
    switch (s.workload()) {
      case Workload.Diffusion d -> {
        steps = d.steps();
        resolution = d.resolution();
        imagesPerRequest = d.imagesPerRequest();
      }
      case Workload.Llm l -> {
        steps = l.storedSteps();
        resolution = l.storedResolution();
        imagesPerRequest = 0;
      }
    }
    Double timePerImageS = null, imagesPerS = null, tokensPerS = null;
    switch (run.rates()) {
      case CaseResult.ImageRates i -> {
        timePerImageS = i.timePerImageS();
        imagesPerS = i.imagesPerS();
      }
      case CaseResult.TokenRates t -> tokensPerS = t.tokensPerS();
    }
    return switch (r.outcome()) {
      case CaseResult.Measured m -> new ResultFile(s.caseId(), s.model(), s.modelLabel(), s.requestedInstance(),
          s.actualInstance(), s.lifecycle(), s.zone(), s.batchSize(), steps, resolution, s.precision(), s.backend(), s.weights(),
          s.device(), run.modelLoadS(), run.warmupIterations(), run.iterations(), imagesPerRequest, run.latency(),
          run.inferenceTimeS(), timePerImageS, imagesPerS, tokensPerS, run.memory(), run.telemetry(), run.price(), CostFile.of(m.cost()),
          m.verdict(), CaseStatus.SUCCESS, null, s.knobs(), r.where(), run.warmup(), run.gpuBusy(), m.efficiency(), m.trials());
      case CaseResult.Failed f -> new ResultFile(s.caseId(), s.model(), s.modelLabel(), s.requestedInstance(),
          s.actualInstance(), s.lifecycle(), s.zone(), s.batchSize(), steps, resolution, s.precision(), s.backend(), s.weights(),
          s.device(), run.modelLoadS(), run.warmupIterations(), run.iterations(), imagesPerRequest, run.latency(),
          run.inferenceTimeS(), timePerImageS, imagesPerS, tokensPerS, run.memory(), run.telemetry(), run.price(), null, null,
          f.status(), f.failure(), s.knobs(), r.where(), run.warmup(), run.gpuBusy(), null, null);
    };
  }

  /** The typed result this file holds. */
  public CaseResult toResult() {
    Workload workload = imagesPerRequest == 0 ? new Workload.Llm(inferenceSteps, resolution)
        : new Workload.Diffusion(imagesPerRequest, inferenceSteps, resolution);
    CaseResult.Rates rates = switch (workload) {
      case Workload.Diffusion d -> new CaseResult.ImageRates(timePerImageS, imagesPerS);
      case Workload.Llm l -> new CaseResult.TokenRates(tokensPerS);
    };
    var spec = new CaseResult.Spec(caseId, model, modelLabel, requestedInstance, actualInstance, lifecycle, zone, batchSize,
        precision, workload, backend, weights, device, knobs);
    var run = new CaseResult.Run(modelLoadS, warmupIterations, iterations, latency, inferenceTimeS, rates, memory, telemetry,
        price, warmup, gpuBusy);
    CaseResult.Cost typedCost = cost == null ? null : switch (workload) {
      case Workload.Diffusion d -> new CaseResult.ImageCost(cost.cost1000ImagesSpotUsd(), cost.cost1000ImagesOndemandUsd(),
          cost.cost1000ImagesActualUsd(), cost.costEfficiencySpotUsdPerSPerImage(), cost.costEfficiencyOndemandUsdPerSPerImage(),
          cost.spotSavingsPct());
      case Workload.Llm l -> new CaseResult.TokenCost(cost.cost1MTokensSpotUsd(), cost.cost1MTokensOndemandUsd(),
          cost.cost1MTokensActualUsd(), cost.spotSavingsPct());
    };
    boolean failed = failure != null || (status != null && status != CaseStatus.SUCCESS);
    CaseResult.Outcome outcome = !failed ? new CaseResult.Measured(run, typedCost, verdict, efficiency, trials)
        : new CaseResult.Failed(run, status != null ? status : CaseStatus.of(failure.kind()),
            failure != null ? failure : new Failure(null, null, null));
    return new CaseResult(spec, where, outcome);
  }

  /**
   * The file's {@code cost} object: the image and the token figures side by side, those of the other workload null.
   */
  public record CostFile(@JsonProperty("cost_1000_images_spot_usd") BigDecimal cost1000ImagesSpotUsd,
      @JsonProperty("cost_1000_images_ondemand_usd") BigDecimal cost1000ImagesOndemandUsd,
      @JsonProperty("cost_1000_images_actual_usd") BigDecimal cost1000ImagesActualUsd,
      @JsonProperty("cost_efficiency_spot_usd_per_s_per_image") BigDecimal costEfficiencySpotUsdPerSPerImage,
      @JsonProperty("cost_efficiency_ondemand_usd_per_s_per_image") BigDecimal costEfficiencyOndemandUsdPerSPerImage,
      BigDecimal spotSavingsPct,
      @JsonProperty("cost_1m_tokens_spot_usd") BigDecimal cost1MTokensSpotUsd,
      @JsonProperty("cost_1m_tokens_ondemand_usd") BigDecimal cost1MTokensOndemandUsd,
      @JsonProperty("cost_1m_tokens_actual_usd") BigDecimal cost1MTokensActualUsd) {

    /** The file's object of a cost; null for none. */
    public static CostFile of(CaseResult.Cost cost) {
      return switch (cost) {
        case null -> null;
        case CaseResult.ImageCost i -> new CostFile(i.cost1000ImagesSpotUsd(), i.cost1000ImagesOndemandUsd(),
            i.cost1000ImagesActualUsd(), i.costEfficiencySpotUsdPerSPerImage(), i.costEfficiencyOndemandUsdPerSPerImage(),
            i.spotSavingsPct(), null, null, null);
        case CaseResult.TokenCost t -> new CostFile(null, null, null, null, null, t.spotSavingsPct(), t.cost1MTokensSpotUsd(),
            t.cost1MTokensOndemandUsd(), t.cost1MTokensActualUsd());
      };
    }
  }
}
