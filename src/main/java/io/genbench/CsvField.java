package io.genbench;

import java.util.regex.Pattern;

/**
 * One field of every CSV genbench writes (results.csv, summary.csv, {@code history --format csv}), as RFC 4180 wants
 * it and as a spreadsheet cannot execute it. A text field that begins with {@code =}, {@code +}, {@code -}, {@code @},
 * a tab or a carriage return would be read as a formula (CSV injection): it gets a leading {@code '} (OWASP's advice),
 * which spreadsheets show as text. Numbers, negative ones included, stay numbers. A field holding a comma, a quote or
 * a line break is quoted, its quotes doubled.
 */
public final class CsvField {
  /** A number, or several joined by {@code ;} (per-trial medians): never a formula. */
  private static final Pattern NUMBERS = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?(;[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)*");

  private CsvField() {}

  /** The field as written between commas. */
  public static String of(String value) {
    String v = startsLikeAFormula(value) ? "'" + value : value;
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
    return '"' + v.replace("\"", "\"\"") + '"';
  }

  private static boolean startsLikeAFormula(String value) {
    if (value.isEmpty()) return false;
    char c = value.charAt(0);
    boolean trigger = c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    return trigger && !NUMBERS.matcher(value).matches();
  }
}
