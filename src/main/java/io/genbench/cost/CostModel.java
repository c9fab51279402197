package io.genbench.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * USD per 1000 images: {@code hourly_price × (1000 × time_per_image_s + model_load_s) / 3600}. The model load is
 * paid once per 1000 images, as a worker that serves them loads the model once.
 *
 * <p><b>Money is rounded once</b>, here, when it is computed: to {@value #SIGNIFICANT_DIGITS} significant digits, half
 * up ({@link #round}). Every view (summary.csv, results.csv, results.json, the console, report.md/html) prints that
 * value unchanged, and derived figures (the spot saving, averages) are computed from the rounded values and rounded
 * the same way, so a difference printed beside two costs is their difference.
 */
public final class CostModel {
  public static final int SIGNIFICANT_DIGITS = 4;
  private static final MathContext MC = MathContext.DECIMAL64;
  private static final MathContext MONEY = new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_UP);
  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

  private CostModel() {}

  /** Cost of 1000 images at this hourly price; null when the price is unknown. */
  public static BigDecimal costPer1000Images(BigDecimal usdPerHour, double timePerImageS, double modelLoadS) {
    if (usdPerHour == null) return null;
    BigDecimal seconds = BigDecimal.valueOf(1000 * timePerImageS + modelLoadS);
    return round(usdPerHour.multiply(seconds, MC).divide(SECONDS_PER_HOUR, MC));
  }

  /**
   * Cost of one million generated tokens: {@code hourly × (10⁶ / tokens_per_s + model_load_s) / 3600}, the LLM
   * counterpart of the per-1000-images formula; null when the price or the throughput is unknown.
   */
  public static BigDecimal costPerMillionTokens(BigDecimal usdPerHour, Double tokensPerS, double modelLoadS) {
    if (usdPerHour == null || tokensPerS == null || tokensPerS <= 0) return null;
    BigDecimal seconds = BigDecimal.valueOf(1e6 / tokensPerS + modelLoadS);
    return round(usdPerHour.multiply(seconds, MC).divide(SECONDS_PER_HOUR, MC));
  }

  /**
   * Cost efficiency: USD per second of generation time per image, {@code hourly / 3600 / images_per_request}: what
   * each image in a request costs for every second the request runs.
   */
  public static BigDecimal usdPerSecondPerImage(BigDecimal usdPerHour, int imagesPerRequest) {
    if (usdPerHour == null) return null;
    return round(usdPerHour.divide(SECONDS_PER_HOUR, MC).divide(BigDecimal.valueOf(imagesPerRequest), MC));
  }

  /** The money rounding rule: {@value #SIGNIFICANT_DIGITS} significant digits, half up; null stays null. */
  public static BigDecimal round(BigDecimal usd) {
    if (usd == null) return null;
    if (usd.signum() == 0) return BigDecimal.ZERO;
    BigDecimal r = usd.round(MONEY).stripTrailingZeros();
    return r.scale() < 0 ? r.setScale(0) : r;
  }

  /** Spot saving against on-demand, percent; null when either is unknown. */
  public static BigDecimal spotSavingsPct(BigDecimal spot, BigDecimal ondemand) {
    if (spot == null || ondemand == null || ondemand.signum() == 0) return null;
    return ondemand.subtract(spot).multiply(BigDecimal.valueOf(100)).divide(ondemand, MC).setScale(2, RoundingMode.HALF_EVEN);
  }
}
