package io.genbench;

/**
 * Text made safe for a terminal and for the human-facing views (console summary, progress, {@code history} tables,
 * report.md, report.html): case ids, run names and worker messages come from outside and may hold ESC, BEL, CR or
 * other control characters that rewrite a terminal's screen or hide text. Each is shown in its visible escape form,
 * {@code \u001b} for ESC: C0 controls but newline and tab (layout), DEL, C1 controls, the line and paragraph
 * separators and the bidirectional overrides and isolates (which reorder what a reader sees). Everything else stays.
 */
public final class Printable {
  private Printable() {}

  /** {@code text} with every control character in visible escape form; null stays null. */
  public static String text(String text) {
    if (text == null) return null;
    int first = 0;
    while (first < text.length() && !isControl(text.charAt(first))) first++;
    if (first == text.length()) return text;
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isControl(c)) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.toString();
  }

  /** Whether {@code c} is shown in escape form by {@link #text}. */
  public static boolean isControl(char c) {
    return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }
}
