package io.genbench.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * USD per 1000 images: {@code hourly_price × (1000 × time_per_image_s + model_load_s) / 3600}. The model load is
 * paid once per 1000 images, as a worker that serves them loads the model once.
 */
public final class CostModel {
  private static final MathContext MC = MathContext.DECIMAL64;
  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

  private CostModel() {}

  /** Cost of 1000 images at this hourly price; null when the price is unknown. */
  public static BigDecimal costPer1000Images(BigDecimal usdPerHour, double timePerImageS, double modelLoadS) {
    if (usdPerHour == null) return null;
    BigDecimal seconds = BigDecimal.valueOf(1000 * timePerImageS + modelLoadS);
    return usdPerHour.multiply(seconds, MC).divide(SECONDS_PER_HOUR, MC);
  }

  /**
   * Cost of one million generated tokens: {@code hourly × (10⁶ / tokens_per_s + model_load_s) / 3600}, the LLM
   * counterpart of the per-1000-images formula; null when the price or the throughput is unknown.
   */
  public static BigDecimal costPerMillionTokens(BigDecimal usdPerHour, Double tokensPerS, double modelLoadS) {
    if (usdPerHour == null || tokensPerS == null || tokensPerS <= 0) return null;
    BigDecimal seconds = BigDecimal.valueOf(1e6 / tokensPerS + modelLoadS);
    return usdPerHour.multiply(seconds, MC).divide(SECONDS_PER_HOUR, MC);
  }

  /**
   * Cost efficiency: USD per second of generation time per image, {@code hourly / 3600 / images_per_request}: what
   * each image in a request costs for every second the request runs.
   */
  public static BigDecimal usdPerSecondPerImage(BigDecimal usdPerHour, int imagesPerRequest) {
    if (usdPerHour == null) return null;
    return usdPerHour.divide(SECONDS_PER_HOUR, MC).divide(BigDecimal.valueOf(imagesPerRequest), MC);
  }

  /** Spot saving against on-demand, percent; null when either is unknown. */
  public static BigDecimal spotSavingsPct(BigDecimal spot, BigDecimal ondemand) {
    if (spot == null || ondemand == null || ondemand.signum() == 0) return null;
    return ondemand.subtract(spot).multiply(BigDecimal.valueOf(100)).divide(ondemand, MC).setScale(2, RoundingMode.HALF_EVEN);
  }
}
