package io.genbench.capacity;

import io.genbench.cost.CostModel;
import io.genbench.cost.InstancePrice;
import java.math.BigDecimal;

/**
 * What serving costs at the maximum sustainable rate on one instance, spot and on-demand: the hourly price over the
 * output an hour at that rate yields, {@code hourly × (units / output_per_s) / 3600} (the formula of
 * {@link CostModel#costPer1000Images} and {@link CostModel#costPerMillionTokens} with no model load: a running service
 * loaded its model before the test). Money is rounded as {@link CostModel#round} rounds it.
 *
 * @param unit what one cost figure buys
 * @param outputPerSecond images/s, tokens/s or requests/s at the sustainable rate (successful requests only)
 * @param requestRate the sustainable rate, requests/s
 * @param price the instance's prices as {@code genbench run} looks them up ({@code PriceSource.lookup}), with source and date
 * @param spotUsd cost per unit at the spot price, or null when the price has none
 * @param ondemandUsd cost per unit at the on-demand price, or null when the price has none
 */
public record CapacityCost(Unit unit, double outputPerSecond, double requestRate, InstancePrice price, BigDecimal spotUsd,
    BigDecimal ondemandUsd) {

  /** What a cost figure is per. */
  public enum Unit {
    PER_1000_IMAGES("per 1000 images"), PER_MILLION_TOKENS("per million tokens"), PER_1000_REQUESTS("per 1000 requests");

    private final String label;

    Unit(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** The cost at the search's answer; null when no rate passed. Images when it returned images, else tokens, else requests. */
  public static CapacityCost of(CapacityResult result, InstancePrice price) {
    if (result.lastPassingRate() == null || result.atAnswer() == null) return null;
    LevelFigures f = result.atAnswer();
    return at(result.lastPassingRate(), f.imagesPerSecond(), f.tokensPerSecond(), f.achievedRate() - f.errors() / f.durationS(), price);
  }

  /**
   * The cost at a rate from its figures.
   *
   * @param okRequestsPerSecond successful requests per second, for a server that returns neither images nor tokens
   */
  public static CapacityCost at(double requestRate, double imagesPerSecond, double tokensPerSecond, double okRequestsPerSecond,
      InstancePrice price) {
    if (imagesPerSecond > 0) {
      return new CapacityCost(Unit.PER_1000_IMAGES, imagesPerSecond, requestRate, price,
          CostModel.costPer1000Images(price.spotUsdPerHour(), 1 / imagesPerSecond, 0),
          CostModel.costPer1000Images(price.ondemandUsdPerHour(), 1 / imagesPerSecond, 0));
    }
    if (tokensPerSecond > 0) {
      return new CapacityCost(Unit.PER_MILLION_TOKENS, tokensPerSecond, requestRate, price,
          CostModel.costPerMillionTokens(price.spotUsdPerHour(), tokensPerSecond, 0),
          CostModel.costPerMillionTokens(price.ondemandUsdPerHour(), tokensPerSecond, 0));
    }
    if (!(okRequestsPerSecond > 0)) return null;
    return new CapacityCost(Unit.PER_1000_REQUESTS, okRequestsPerSecond, requestRate, price,
        CostModel.costPer1000Images(price.spotUsdPerHour(), 1 / okRequestsPerSecond, 0),
        CostModel.costPer1000Images(price.ondemandUsdPerHour(), 1 / okRequestsPerSecond, 0));
  }

  /** Where the price came from, e.g. {@code g5.xlarge in us-east-1, catalog of 2026-11-01}. */
  public String priceSource() {
    return price.instanceType() + " in " + price.region() + ", " + price.source() + (price.asOf() == null ? "" : " of " + price.asOf());
  }
}
