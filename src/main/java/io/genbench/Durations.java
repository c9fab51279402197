package io.genbench;

import java.time.Duration;
import java.util.Locale;

/** The durations options give ({@code --price-ttl}, {@code --unschedulable-timeout}), read one way. */
public final class Durations {
  private Durations() {}

  /**
   * A positive duration an option gives: {@code 90s}, {@code 30m}, {@code 6h}, {@code 2d}, or ISO-8601 ({@code PT6H}).
   *
   * @param option the option's name, for the message, e.g. {@code --price-ttl}
   */
  public static Duration parse(String text, String option) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (t.startsWith("p")) {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } else {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        d = switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          case 'd' -> Duration.ofDays(n);
          default -> throw new NumberFormatException();
        };
      }
    } catch (RuntimeException e) {
      throw new UserError("Cannot read " + option + " \"" + text + "\": give a positive number with s, m, h or d, e.g. 6h.");
    }
    if (!d.isPositive()) {
      throw new UserError(option + " must be positive, was \"" + text + "\": give a positive number with s, m, h or d, e.g. 6h.");
    }
    return d;
  }
}
