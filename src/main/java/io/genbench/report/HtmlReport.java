package io.genbench.report;

import io.genbench.chart.Chart;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code report.html}: the content of {@link MarkdownReport} as one self-contained HTML page that opens offline: inline
 * CSS, the charts' SVG inline (the same drawings report.md links as files), one small inline script that sorts a table
 * by the column whose header is clicked, and a Content-Security-Policy that lets the page fetch nothing and run no
 * other script. It converts exactly the Markdown that {@code MarkdownReport} writes: headings, tables, bullet lists,
 * fenced code blocks, paragraphs, inline code, bold, and the charts' image lines. The layout fits a 1280 px window:
 * charts two abreast, wide tables scrolling inside themselves.
 */
public final class HtmlReport {
  private static final String CSS = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:90em;padding:.5em 1.5em 2em;"
      + "color:#222;line-height:1.4}table{border-collapse:collapse;margin:1em 0;font-size:.8125em}"
      + "th,td{border:1px solid #ccc;padding:.2em .45em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
      + "td{font-variant-numeric:tabular-nums}td.num{text-align:right}code{background:#f5f5f5;"
      + "padding:0 .2em}pre{background:#f5f5f5;padding:.8em;overflow-x:auto}h1,h2,h3{font-weight:600}"
      // a wide table scrolls inside the page instead of cutting its last columns off, its first column staying in view;
      // a long id in a cell may break after a hyphen (<wbr>), nowhere else
      + ".wide{overflow-x:auto;max-width:100%}td code{white-space:nowrap}"
      + "td:first-child{position:sticky;left:0;background:#fff}th:first-child{position:sticky;left:0}"
      // statuses and verdicts that need attention do not look like SUCCESS
      + "td.bad{background:#fde2e1;color:#8a1c14;font-weight:600}td.warn{background:#fff4d6;color:#7a5200}"
      + "td.good{color:#1d6b2f}"
      // two charts abreast from a 1280 px window up, one on a narrow one; each scales to its cell
      + ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(34em,1fr));gap:1em;margin:1em 0}"
      + ".charts figure{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:.3em;min-width:0}"
      + ".charts svg{display:block;width:100%;height:auto}"
      + "nav.toc{font-size:.9em;padding:.4em 0;border-bottom:1px solid #ddd}nav.toc a{margin-right:1em;color:#0b5cad}"
      // sortable headers: the script puts each header's text in a button; the arrow shows the order
      + "th button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:left}"
      + "th button:focus-visible{outline:2px solid #0072b2}th[aria-sort=ascending] button::after{content:\" \\25B2\"}"
      + "th[aria-sort=descending] button::after{content:\" \\25BC\"}";
  /**
   * Sorts a {@code table.sortable} by the column whose header button is clicked: ascending, descending, then the
   * original order. Cells that start with a number (after an optional sign and {@code $}; {@code 1,234.5 ms},
   * {@code 12 %}) sort as numbers, before text; other text sorts with numeric collation ({@code 512x512} before
   * {@code 1024x1024}); empty and N/A cells sort last either way.
   */
  static final String SCRIPT = """
      (function () {
        "use strict";
        var NUMBER = /^([-+]?)\\$?(\\d+(?:,\\d{3})*(?:\\.\\d+)?|\\.\\d+)(?=$|[\\s%])/;
        function value(cell) {
          var t = cell ? cell.textContent.trim() : "";
          if (t === "" || t === "N/A") return null;
          var m = NUMBER.exec(t);
          return m ? parseFloat(m[1] + m[2].replace(/,/g, "")) : t;
        }
        function compare(a, b) {
          if (typeof a !== typeof b) return typeof a === "number" ? -1 : 1;
          return typeof a === "number" ? a - b : a.localeCompare(b, undefined, {numeric: true});
        }
        Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
          var head = table.tHead.rows[0], body = table.tBodies[0];
          Array.prototype.forEach.call(body.rows, function (row, i) { row.setAttribute("data-order", i); });
          Array.prototype.forEach.call(head.cells, function (th, col) {
            var button = document.createElement("button");
            button.type = "button";
            button.title = "sort by this column";
            while (th.firstChild) button.appendChild(th.firstChild);
            th.appendChild(button);
            button.addEventListener("click", function () {
              var state = th.getAttribute("aria-sort");
              var next = state === "ascending" ? "descending" : state === "descending" ? "none" : "ascending";
              Array.prototype.forEach.call(head.cells, function (c) { c.removeAttribute("aria-sort"); });
              if (next !== "none") th.setAttribute("aria-sort", next);
              var dir = next === "descending" ? -1 : 1;
              var rows = Array.prototype.slice.call(body.rows);
              rows.sort(function (r1, r2) {
                var o = r1.getAttribute("data-order") - r2.getAttribute("data-order");
                if (next === "none") return o;
                var a = value(r1.cells[col]), b = value(r2.cells[col]);
                if (a === null || b === null) return a === b ? o : a === null ? 1 : -1;
                return compare(a, b) * dir || o;
              });
              rows.forEach(function (r) { body.appendChild(r); });
            });
          });
        });
      })();
      """;
  /** The policy: nothing fetched, no script but {@link #SCRIPT} (by its hash), styles inline only. */
  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + sha256(SCRIPT)
      + "'; base-uri 'none'; form-action 'none'";
  /** Cells whose whole text is one of these get a colour: failures and INVALID red, findings and HOST-BOUND amber. */
  private static final java.util.Map<String, String> CELL_CLASS = java.util.Map.ofEntries(
      java.util.Map.entry("INVALID", "bad"), java.util.Map.entry("FAILED", "bad"), java.util.Map.entry("TIMEOUT", "bad"),
      java.util.Map.entry("OOM_SIGNAL", "bad"), java.util.Map.entry("OOM_SIGSEGV", "bad"),
      java.util.Map.entry("HOST-BOUND", "warn"), java.util.Map.entry("OOM_SKIPPED", "warn"), java.util.Map.entry("OOM", "warn"),
      java.util.Map.entry("VALID", "good"), java.util.Map.entry("SUCCESS", "good"));
  /** A chart's image line as MarkdownReport writes it: {@code ![alt](charts/name.svg)}. */
  private static final Pattern IMAGE = Pattern.compile("!\\[(.*)]\\((charts/[a-z0-9-]+\\.svg)\\)");
  /** A cell that is one figure (a unit may follow: {@code 1.234 img/s}, {@code $0.51}, {@code 12 %}): right-aligned. */
  private static final Pattern NUMBER = Pattern.compile("[-+]?\\$?\\d[\\d,]*(\\.\\d+)?( ?[%a-zA-Z/]+( [a-z-]+)?)?");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern CODE_SPAN = Pattern.compile("<code>[^<]*</code>");
  private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
  private static final Pattern ESCAPED = Pattern.compile("\\\\([!-/:-@\\[-`{-~])");
  private static final String PARKED = "\uE000";
  private static final Pattern PARKED_AT = Pattern.compile(PARKED + "(\\d+)" + PARKED);

  private HtmlReport() {}

  /** The page with its charts drawn now (see {@link Charts#of}). */
  public static String render(RunReport report) {
    return render(report, Charts.of(report));
  }

  /** The page with charts already drawn, inlined where report.md links them. */
  public static String render(RunReport report, Charts charts) {
    return page("genbench run " + report.runId(), convert(MarkdownReport.render(report, charts), charts.byFile()));
  }

  /**
   * Any report.md of genbench's Markdown subset as one self-contained page, its chart image lines inlined from
   * {@code chartsByFile} ({@code charts/name.svg} → chart): the multi-GPU suite's report.html.
   */
  public static String standalone(String title, String markdown, Map<String, Chart> chartsByFile) {
    return page(title, convert(markdown, chartsByFile));
  }

  /** The whole page; ids and worker messages in it keep no control character (shown in escape form). */
  static String page(String title, String body) {
    return io.genbench.Printable.text("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"" + escape(CSP) + "\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + escape(title)
        + "</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n" + withContents(body) + "<script>" + SCRIPT
        + "</script>\n</body>\n</html>\n");
  }

  private static final Pattern H1_END = Pattern.compile("</h1>\n");
  private static final Pattern H2 = Pattern.compile("<h2 id=\"([a-z0-9-]+)\">(.*?)</h2>");

  /** A line of links to the sections, under the title, when there are several. */
  private static String withContents(String body) {
    List<String> links = new ArrayList<>();
    Matcher h2 = H2.matcher(body);
    while (h2.find()) links.add("<a href=\"#" + h2.group(1) + "\">" + h2.group(2) + "</a>");
    Matcher h1 = H1_END.matcher(body);
    if (links.size() < 3 || !h1.find()) return body;
    return body.substring(0, h1.end()) + "<nav class=\"toc\">" + String.join("", links) + "</nav>\n" + body.substring(h1.end());
  }

  /** Converts the Markdown subset {@link MarkdownReport} writes, without charts. */
  static String convert(String markdown) {
    return convert(markdown, Map.of());
  }

  /** Converts the Markdown subset {@link MarkdownReport} writes; an image line of a chart in {@code charts} inlines it. */
  static String convert(String markdown, Map<String, Chart> charts) {
    StringBuilder html = new StringBuilder();
    Set<String> ids = new HashSet<>();
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
        String text = line.substring(level).strip();
        html.append("<h").append(level).append(level == 2 ? " id=\"" + id(text, ids) + "\"" : "").append('>')
            .append(inline(text)).append("</h").append(level).append(">\n");
        i++;
      } else if (IMAGE.matcher(line).matches()) {
        html.append("<div class=\"charts\">\n");
        while (i < lines.length && (lines[i].isBlank() || IMAGE.matcher(lines[i]).matches())) {
          Matcher m = IMAGE.matcher(lines[i++]);
          if (m.matches()) figure(html, m.group(1), charts.get(m.group(2)));
        }
        html.append("</div>\n");
      } else if (line.startsWith("|")) {
        List<String> rows = new ArrayList<>();
        while (i < lines.length && lines[i].startsWith("|")) rows.add(lines[i++]);
        table(html, rows);
      } else if (bullet(line)) {
        html.append("<ul>\n");
        while (i < lines.length && bullet(lines[i])) {
          html.append("<li>").append(inline(lines[i++].substring(2))).append("</li>\n");
        }
        html.append("</ul>\n");
      } else {
        html.append("<p>");
        boolean first = true;
        while (i < lines.length && !lines[i].isBlank() && !lines[i].startsWith("#") && !lines[i].startsWith("|")
            && !bullet(lines[i]) && !lines[i].startsWith("```")) {
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
    List<String> header = cells(rows.get(0));
    int body = rows.size() - (rows.size() > 1 && rows.get(1).matches("[|\\-\\s:]+") ? 2 : 1);
    // a key-value table (empty header cells) or a single row has nothing to sort
    boolean sortable = body > 1 && header.stream().noneMatch(String::isBlank);
    boolean headless = header.stream().allMatch(String::isBlank); // a key-value table: its empty header row is not drawn
    html.append("<div class=\"wide\"><table").append(sortable ? " class=\"sortable\"" : "").append(">\n")
        .append(headless ? "<tbody>\n" : "<thead>\n");
    for (int r = headless ? 1 : 0; r < rows.size(); r++) {
      if (r == 1 && rows.get(r).matches("[|\\-\\s:]+")) continue;
      String tag = r == 0 ? "th" : "td";
      html.append("<tr>");
      for (String cell : cells(rows.get(r))) {
        String status = cell.strip().replaceFirst(" \\(.*\\)$", ""); // FAILED (error) is FAILED
        String css = r == 0 ? null : CELL_CLASS.getOrDefault(status, NUMBER.matcher(cell.strip()).matches() ? "num" : null);
        String content = inline(cell);
        if (r > 0) content = CODE_SPAN.matcher(content).replaceAll(m -> Matcher.quoteReplacement(m.group().replace("-", "-<wbr>")));
        html.append('<').append(tag).append(css == null ? "" : " class=\"" + css + "\"").append('>').append(content)
            .append("</").append(tag).append('>');
      }
      html.append("</tr>\n");
      if (r == 0) html.append("</thead>\n<tbody>\n");
    }
    html.append("</tbody>\n</table></div>\n");
  }

  /**
   * One chart: its SVG inline, labelled by its title for screen readers. An image line that names no drawn chart
   * shows its text: the page never refers to a file or an address.
   */
  private static void figure(StringBuilder html, String alt, Chart chart) {
    if (chart == null) {
      html.append("<p>").append(inline(alt)).append(" (not drawn)</p>\n");
      return;
    }
    String svg = chart.svg();
    if (svg.startsWith("<svg ")) svg = "<svg role=\"img\" aria-label=\"" + escape(chart.title()) + "\" " + svg.substring(5);
    html.append("<figure id=\"chart-").append(chart.name()).append("\">").append(svg).append("</figure>\n");
  }

  /** A heading's anchor: its words in lower case joined by '-', made unique on the page. */
  private static String id(String heading, Set<String> ids) {
    String base = heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    if (base.isEmpty()) base = "section";
    String id = base;
    for (int n = 2; !ids.add(id); n++) id = base + "-" + n;
    return id;
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

  private static String sha256(String text) {
    try {
      return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** A list item: "- " (MarkdownReport) or "* " (the suite's report.md). */
  private static boolean bullet(String line) {
    return line.startsWith("- ") || line.startsWith("* ");
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
