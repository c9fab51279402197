package io.genbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code report.html}: the content of {@link MarkdownReport} as one self-contained HTML page (inline CSS, no
 * scripts, nothing fetched). It converts exactly the Markdown that {@code MarkdownReport} writes: headings, tables,
 * bullet lists, fenced code blocks, paragraphs, inline code and bold.
 */
public final class HtmlReport {
  private static final String CSS = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:90em;padding:0 1em;"
      + "color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .6em;"
      + "text-align:left}th{background:#f3f3f3}td{font-variant-numeric:tabular-nums}code{background:#f5f5f5;"
      + "padding:0 .2em}pre{background:#f5f5f5;padding:.8em;overflow-x:auto}h1,h2,h3{font-weight:600}"
      // a wide table scrolls inside the page instead of cutting its last columns off; ids stay on one line
      + ".wide{overflow-x:auto;max-width:100%}td code{white-space:nowrap}"
      // statuses and verdicts that need attention do not look like SUCCESS
      + "td.bad{background:#fde2e1;color:#8a1c14;font-weight:600}td.warn{background:#fff4d6;color:#7a5200}"
      + "td.good{color:#1d6b2f}";
  /** Cells whose whole text is one of these get a colour: failures and INVALID red, findings and HOST-BOUND amber. */
  private static final java.util.Map<String, String> CELL_CLASS = java.util.Map.ofEntries(
      java.util.Map.entry("INVALID", "bad"), java.util.Map.entry("FAILED", "bad"), java.util.Map.entry("TIMEOUT", "bad"),
      java.util.Map.entry("OOM_SIGNAL", "bad"), java.util.Map.entry("OOM_SIGSEGV", "bad"),
      java.util.Map.entry("HOST-BOUND", "warn"), java.util.Map.entry("OOM_SKIPPED", "warn"), java.util.Map.entry("OOM", "warn"),
      java.util.Map.entry("VALID", "good"), java.util.Map.entry("SUCCESS", "good"));
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
  private static final Pattern ESCAPED = Pattern.compile("\\\\([!-/:-@\\[-`{-~])");
  private static final String PARKED = "\uE000";
  private static final Pattern PARKED_AT = Pattern.compile(PARKED + "(\\d+)" + PARKED);

  private HtmlReport() {}

  public static String render(RunReport report) {
    return page("genbench run " + report.runId(), convert(MarkdownReport.render(report)));
  }

  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
        + "</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
  }

  /** Converts the Markdown subset {@link MarkdownReport} writes. */
  static String convert(String markdown) {
    StringBuilder html = new StringBuilder();
    String[] lines = markdown.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      String line = lines[i];
      if (line.isBlank()) {
        i++;
      } else if (line.startsWith("```")) {
        String fence = line.substring(0, line.length() - line.replaceFirst("^`+", "").length());
        html.append("<pre><code>");
        i++;
        while (i < lines.length && !lines[i].equals(fence)) html.append(escape(lines[i++])).append('\n');
        html.append("</code></pre>\n");
        i++;
      } else if (line.startsWith("#")) {
        int level = line.length() - line.replaceFirst("^#+", "").length();
        html.append("<h").append(level).append('>').append(inline(line.substring(level).strip()))
            .append("</h").append(level).append(">\n");
        i++;
      } else if (line.startsWith("|")) {
        List<String> rows = new ArrayList<>();
        while (i < lines.length && lines[i].startsWith("|")) rows.add(lines[i++]);
        table(html, rows);
      } else if (line.startsWith("- ")) {
        html.append("<ul>\n");
        while (i < lines.length && lines[i].startsWith("- ")) {
          html.append("<li>").append(inline(lines[i++].substring(2))).append("</li>\n");
        }
        html.append("</ul>\n");
      } else {
        html.append("<p>");
        boolean first = true;
        while (i < lines.length && !lines[i].isBlank() && !lines[i].startsWith("#") && !lines[i].startsWith("|")
            && !lines[i].startsWith("- ") && !lines[i].startsWith("```")) {
          if (!first) html.append("<br>\n");
          html.append(inline(lines[i++]));
          first = false;
        }
        html.append("</p>\n");
      }
    }
    return html.toString();
  }

  private static void table(StringBuilder html, List<String> rows) {
    html.append("<div class=\"wide\"><table>\n");
    for (int r = 0; r < rows.size(); r++) {
      if (r == 1 && rows.get(r).matches("[|\\-\\s:]+")) continue;
      String tag = r == 0 ? "th" : "td";
      html.append("<tr>");
      for (String cell : cells(rows.get(r))) {
        String status = cell.strip().replaceFirst(" \\(.*\\)$", ""); // FAILED (error) is FAILED
        String css = r == 0 ? null : CELL_CLASS.get(status);
        html.append('<').append(tag).append(css == null ? "" : " class=\"" + css + "\"").append('>').append(inline(cell))
            .append("</").append(tag).append('>');
      }
      html.append("</tr>\n");
    }
    html.append("</table></div>\n");
  }

  /** Splits a table row on unescaped pipes. */
  static List<String> cells(String row) {
    String inner = row.strip();
    if (inner.startsWith("|")) inner = inner.substring(1);
    if (inner.endsWith("|") && !inner.endsWith("\\|")) inner = inner.substring(0, inner.length() - 1);
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    for (int k = 0; k < inner.length(); k++) {
      char c = inner.charAt(k);
      if (c == '\\' && k + 1 < inner.length() && inner.charAt(k + 1) == '|') {
        cell.append('|');
        k++;
      } else if (c == '|') {
        cells.add(cell.toString().strip());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString().strip());
    return cells;
  }

  private static String inline(String text) {
    // a backslash-escaped character (MarkdownReport.text) is literal: park it where code and bold cannot see it
    List<String> literal = new ArrayList<>();
    String s = ESCAPED.matcher(text).replaceAll(m -> {
      literal.add(m.group(1));
      return PARKED + (literal.size() - 1) + PARKED;
    });
    s = escape(s);
    s = CODE.matcher(s).replaceAll(m -> Matcher.quoteReplacement("<code>" + m.group(1) + "</code>"));
    s = BOLD.matcher(s).replaceAll(m -> Matcher.quoteReplacement("<strong>" + m.group(1) + "</strong>"));
    return PARKED_AT.matcher(s).replaceAll(m -> Matcher.quoteReplacement(escape(literal.get(Integer.parseInt(m.group(1))))));
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
