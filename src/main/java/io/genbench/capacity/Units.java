package io.genbench.capacity;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Locale-free number text for SLOs and reports. */
final class Units {
  private Units() {}

  /** A duration as the shortest exact {@code --slo} text: {@code 2s}, {@code 500ms}, {@code 250us}. */
  static String exactDuration(BigDecimal seconds) {
    if (seconds.compareTo(BigDecimal.ONE) >= 0) return plain(seconds) + "s";
    if (seconds.compareTo(new BigDecimal("0.001")) >= 0) return plain(seconds.scaleByPowerOfTen(3)) + "ms";
    return plain(seconds.scaleByPowerOfTen(6)) + "us";
  }

  /** Seconds for people, 3 significant digits in a fitting unit: {@code 2.31 s}, {@code 41.2 ms}, {@code 95.0 µs}. */
  static String seconds(double s) {
    if (Double.isInfinite(s) || Double.isNaN(s)) return String.valueOf(s);
    if (s >= 1) return decimal(s, 3) + " s";
    if (s >= 1e-3) return decimal(s * 1e3, 3) + " ms";
    return decimal(s * 1e6, 3) + " µs";
  }

  /** {@code significant} significant digits, half up, no exponent, trailing zeros dropped. */
  static String decimal(double v, int significant) {
    if (v == 0) return "0";
    return plain(new BigDecimal(Double.toString(v)).round(new MathContext(significant, RoundingMode.HALF_UP)));
  }

  static String plain(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
  }
}
