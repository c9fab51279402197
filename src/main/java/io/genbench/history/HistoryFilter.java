package io.genbench.history;

import io.genbench.UserError;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Which recorded runs a query returns. Text filters match a part of the value, ignoring case.
 *
 * @param model a part of a case's model id or label ({@code sdxl}, {@code stable-diffusion-2-1}), or null for any
 * @param instance a part of a case's requested or actual instance type ({@code g5.xlarge}, {@code g6e}), or null
 * @param since runs started at or after this instant, or null
 * @param until runs started before this instant, or null
 * @param limit at most this many runs, the newest, ≥ 1
 */
public record HistoryFilter(String model, String instance, Instant since, Instant until, int limit) {
  public static final int MAX_LIMIT = 100_000;

  public HistoryFilter {
    if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    model = blankToNull(model);
    instance = blankToNull(instance);
  }

  /** Every run, the newest {@code limit}. */
  public static HistoryFilter newest(int limit) {
    return new HistoryFilter(null, null, null, null, limit);
  }

  /**
   * The filter of the command line: {@code since} and {@code until} are dates ({@code 2026-11-21}, a whole UTC day,
   * {@code until} included) or instants ({@code 2026-11-21T10:15:00Z}); each bad value is a {@link UserError} naming
   * its option and the forms it takes.
   */
  public static HistoryFilter parse(String model, String instance, String since, String until, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) throw new UserError("--limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    Instant from = since == null ? null : bound("--since", since, false);
    Instant to = until == null ? null : bound("--until", until, true);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new UserError("--since " + since + " is not before --until " + until + ": no run can match");
    }
    return new HistoryFilter(model, instance, from, to, limit);
  }

  private static Instant bound(String option, String text, boolean endOfDay) {
    String t = text.strip();
    try {
      if (t.length() == 10) {
        LocalDate day = LocalDate.parse(t);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new UserError(option + " must be a date (2026-11-21, a whole day in UTC) or an instant"
          + " (2026-11-21T10:15:00Z), was '" + text + "'");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
