package io.genbench.history;

import io.genbench.analyze.LatencySummary;
import io.genbench.result.CaseResult;
import java.math.BigDecimal;

/**
 * One case of a recorded run: a row of {@code genbench_case_results}, the headline figures of its {@code result.json}.
 * Null where a figure does not exist (a failed case has no latency; an LLM case has tokens, not images).
 *
 * @param spotUsdPerHour the spot price the case was costed with, USD per hour
 * @param ondemandUsdPerHour the on-demand price, USD per hour
 * @param status summary.csv's status
 * @param verdict {@code VALID}, {@code HOST-BOUND} or {@code INVALID}, or null for a case without a measurement
 * @param e2eP50Ms median end-to-end latency of a request, ms (nearest rank)
 * @param peakMemoryBytes the case's own peak memory, bytes, as {@code memoryKind} names it
 * @param memoryKind {@code cuda-reserved}, {@code rss-delta} or {@code rss-process-peak}
 * @param trials fresh workers the case ran in (1 without {@code --trials})
 * @param iterations measured iterations over every trial
 */
public record CaseRecord(String caseId, String model, String modelLabel, String requestedInstance, String actualInstance,
    String lifecycle, BigDecimal spotUsdPerHour, BigDecimal ondemandUsdPerHour, String priceSource, int batchSize,
    int inferenceSteps, String resolution, String precision, String backend, String device, String status, String verdict,
    Double e2eP50Ms, Double e2eP95Ms, Double e2eP99Ms, Double imagesPerS, Double tokensPerS, Long peakMemoryBytes,
    String memoryKind, BigDecimal cost1000ImagesOndemandUsd, BigDecimal cost1000ImagesSpotUsd,
    BigDecimal cost1mTokensOndemandUsd, BigDecimal cost1mTokensSpotUsd, int trials, int iterations) {

  /** The record of a finished case's result. */
  public static CaseRecord of(CaseResult r) {
    LatencySummary e2e = r.latency() == null ? null : r.latency().get("e2e");
    CaseResult.Price price = r.price();
    BigDecimal imagesOndemand = null, imagesSpot = null, tokensOndemand = null, tokensSpot = null;
    switch (r.cost()) {
      case null -> {}
      case CaseResult.ImageCost i -> {
        imagesOndemand = i.cost1000ImagesOndemandUsd();
        imagesSpot = i.cost1000ImagesSpotUsd();
      }
      case CaseResult.TokenCost t -> {
        tokensOndemand = t.cost1MTokensOndemandUsd();
        tokensSpot = t.cost1MTokensSpotUsd();
      }
    }
    CaseResult.Memory memory = r.memory();
    return new CaseRecord(r.caseId(), r.model(), r.modelLabel(), r.requestedInstance(), r.actualInstance(), r.lifecycle(),
        price == null ? null : price.spotUsdPerHour(), price == null ? null : price.ondemandUsdPerHour(),
        price == null ? null : price.source(), r.batchSize(), r.inferenceSteps(), r.resolution(), r.precision(), r.backend(),
        r.device(), r.status().name(), r.verdict() == null ? null : r.verdict().label(),
        e2e == null ? null : e2e.p50Ns() / 1e6, e2e == null ? null : e2e.p95Ns() / 1e6, e2e == null ? null : e2e.p99Ns() / 1e6,
        r.imagesPerS(), r.tokensPerS(), memory == null ? null : memory.peakBytes(), memory == null ? null : memory.kind(),
        imagesOndemand, imagesSpot, tokensOndemand, tokensSpot,
        r.trials() == null ? 1 : r.trials().n(), r.iterations());
  }

  /** True for an LLM case: tokens per second, cost per million tokens. */
  public boolean tokens() {
    return imagesPerS == null && tokensPerS != null;
  }
}
