package io.genbench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * How figures are written in every view, always with {@link Locale#ROOT} (a decimal point, never a comma):
 * <ul>
 *   <li>seconds: 3 decimals ({@code 15.200});
 *   <li>milliseconds: 3 decimals;
 *   <li>GB: 2 decimals;
 *   <li>hourly prices: as given, trailing zeros stripped but at least 3 decimals ({@code 0.301}, {@code 0.500},
 *       {@code 0.4024});
 *   <li>costs (USD): the value as computed, which {@link io.genbench.cost.CostModel#round} rounded once to 4
 *       significant digits ({@code 1.284}, {@code 0.02467}, {@code 0.0008361}), with at least 2 decimals
 *       ({@code 12.50}); every view prints the same digits;
 *   <li>percentages: 1 decimal;
 *   <li>a missing value: {@code N/A}.
 * </ul>
 */
final class Figures {
  static final String NA = "N/A";

  private Figures() {}

  static String fixed(Double value, int decimals) {
    if (value == null || value.isNaN() || value.isInfinite()) return NA;
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  static String seconds(Double s) {
    return fixed(s, 3);
  }

  static String millis(double nanos) {
    return fixed(nanos / 1e6, 3);
  }

  static String gb(Double gb) {
    return fixed(gb, 2);
  }

  static String price(BigDecimal usdPerHour) {
    if (usdPerHour == null) return NA;
    BigDecimal p = usdPerHour.stripTrailingZeros();
    if (p.scale() < 3) p = p.setScale(3, RoundingMode.UNNECESSARY);
    return p.toPlainString();
  }

  static String money(BigDecimal usd) {
    if (usd == null) return NA;
    // already rounded once where it was computed (CostModel.round); a difference of two such figures prints in full
    BigDecimal v = usd.signum() == 0 ? BigDecimal.ZERO : usd.stripTrailingZeros();
    if (v.scale() < 0) v = v.setScale(0);
    return v.setScale(Math.max(2, v.scale()), RoundingMode.UNNECESSARY).toPlainString();
  }

  /** For machine-readable files: 6 significant digits, plain notation. */
  static String exact(BigDecimal value) {
    if (value == null) return NA;
    if (value.signum() == 0) return "0";
    return value.round(new MathContext(6, RoundingMode.HALF_UP)).stripTrailingZeros().toPlainString();
  }

  static String percent(BigDecimal pct) {
    return pct == null ? NA : pct.setScale(1, RoundingMode.HALF_UP).toPlainString();
  }

  static String percent(Double pct) {
    return fixed(pct, 1);
  }

  static String orNa(Object value) {
    return value == null ? NA : value.toString();
  }

  /** An RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
  static String csv(String field) {
    return field == null ? NA : io.genbench.CsvField.of(field);
  }

  static String csvLine(Iterable<String> fields) {
    StringBuilder line = new StringBuilder();
    boolean first = true;
    for (String f : fields) {
      if (!first) line.append(',');
      line.append(csv(f));
      first = false;
    }
    return line.append('\n').toString();
  }
}
