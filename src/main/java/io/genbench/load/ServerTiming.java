package io.genbench.load;

import java.util.List;
import java.util.Locale;

/**
 * What a {@code Server-Timing} response header says about a request's time in the server: its {@code queue} and
 * {@code compute} durations in milliseconds, as {@code genbench serve} sends them
 * ({@code queue;dur=0.041, compute;dur=48.113, e2e;dur=49.020, batch;desc="1"}).
 *
 * <p>Parsed tolerantly (the W3C Server Timing syntax): metrics separated by commas (also across several header
 * lines), parameters by semicolons, names case-insensitive, values as tokens or quoted strings, whitespace anywhere
 * around them. A metric without {@code dur}, a {@code dur} that is not a finite non-negative number, and metrics
 * other than queue and compute are ignored; the first usable {@code dur} of a name wins. Nothing here throws.
 *
 * @param queueMs the server's queue time in ms, null when the header did not say
 * @param computeMs the server's compute time in ms, null when the header did not say
 */
public record ServerTiming(Double queueMs, Double computeMs) {
  /** No header, or nothing usable in it. */
  public static final ServerTiming NONE = new ServerTiming(null, null);

  /** The figures in {@code values} (every Server-Timing header line of a response; null or empty: {@link #NONE}). */
  public static ServerTiming parse(List<String> values) {
    if (values == null || values.isEmpty()) return NONE;
    return parse(String.join(",", values));
  }

  /** The figures in one Server-Timing header value; null: {@link #NONE}. */
  public static ServerTiming parse(String header) {
    if (header == null || header.isBlank()) return NONE;
    Double queue = null;
    Double compute = null;
    for (String metric : split(header, ',')) {
      List<String> parts = split(metric, ';');
      String name = parts.get(0).strip().toLowerCase(Locale.ROOT);
      if (!name.equals("queue") && !name.equals("compute")) continue;
      Double dur = null;
      for (int i = 1; i < parts.size() && dur == null; i++) {
        String p = parts.get(i);
        int eq = p.indexOf('=');
        if (eq < 0 || !p.substring(0, eq).strip().equalsIgnoreCase("dur")) continue;
        dur = number(unquote(p.substring(eq + 1).strip()));
      }
      if (dur == null) continue;
      if (name.equals("queue") && queue == null) queue = dur;
      if (name.equals("compute") && compute == null) compute = dur;
    }
    return queue == null && compute == null ? NONE : new ServerTiming(queue, compute);
  }

  /** Whether the header said anything usable. */
  public boolean present() {
    return queueMs != null || computeMs != null;
  }

  /** {@code s} split at {@code sep} outside double quotes (a backslash escapes inside them). */
  private static List<String> split(String s, char sep) {
    List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\' && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (c == sep && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1).strip() : v;
  }

  private static Double number(String v) {
    if (v.isEmpty() || v.length() > 40) return null;
    for (int i = 0; i < v.length(); i++) if ("0123456789.eE+-".indexOf(v.charAt(i)) < 0) return null; // no NaN, Infinity, hex
    try {
      double d = Double.parseDouble(v);
      return Double.isFinite(d) && d >= 0 ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
