package io.genbench.serve;

/**
 * A duration in milliseconds with three decimals, as {@code String.format(Locale.ROOT, "%.3f", ns / 1e6)} writes it
 * (rounded to the microsecond, halves away from zero), appended without a {@link java.util.Formatter}: an image answer's
 * {@code Server-Timing} and {@code metrics} are written on its path, where five formats and a JSON tree took part of the
 * serving overhead (issue 20).
 */
final class Millis {
  private Millis() {}

  /** Appends {@code ns} as milliseconds, e.g. {@code 266.147}, {@code 0.050}, {@code -1.000}. */
  static StringBuilder append(StringBuilder to, long ns) {
    long us = ns >= 0 ? (ns + 500) / 1000 : -((500 - ns) / 1000);
    if (us < 0) {
      to.append('-');
      us = -us;
    }
    long frac = us % 1000;
    to.append(us / 1000).append('.');
    if (frac < 100) to.append('0');
    if (frac < 10) to.append('0');
    return to.append(frac);
  }
}
