package io.genbench.load;

import io.genbench.chart.Chart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** report.md, report.html and the console summary of a load run: the same tables, three faces. */
final class LoadReport {
  private LoadReport() {}

  /** A titled table of text cells. */
  record Table(String title, List<String> header, List<List<String>> rows) {}

  static List<Table> tables(LoadOutput.LoadRun run) {
    List<Table> tables = new ArrayList<>();
    List<LevelStats> stats = run.stats();
    boolean many = run.plan().targets().size() > 1;
    List<List<String>> rows = new ArrayList<>();
    for (LevelStats s : stats) {
      Distribution d = s.response();
      rows.add(row(many ? "T" + (s.target() + 1) : null, s.label(), rate(s.offeredRate()), rate(s.achievedRate()),
          Integer.toString(s.requests()), Integer.toString(s.errorCount()), d == null ? "N/A" : LoadOutput.ms(d.p50Ns()),
          d == null ? "N/A" : LoadOutput.ms(d.p90Ns()), d == null ? "N/A" : LoadOutput.ms(d.p95Ns()),
          d == null ? "N/A" : LoadOutput.ms(d.p99Ns()), d == null ? "N/A" : LoadOutput.ms(d.p999Ns()),
          d == null ? "N/A" : LoadOutput.ms(d.meanNs()), d == null ? "N/A" : LoadOutput.ms(d.maxNs())));
    }
    tables.add(new Table("Response time (ms, done - scheduled)", header(many, "level", "offered req/s", "achieved req/s",
        "requests", "errors", "P50", "P90", "P95", "P99", "P99.9", "mean", "max"), rows));
    rows = new ArrayList<>();
    for (LevelStats s : stats) {
      rows.add(row(many ? "T" + (s.target() + 1) : null, s.label(), p(s.service(), "p50"), p(s.service(), "p99"),
          p(s.service(), "max"), p(s.dispatchLag(), "p50"), p(s.dispatchLag(), "p99"), p(s.dispatchLag(), "max"),
          p(s.fireLag(), "p99"), Double.isNaN(s.generatorCpu()) ? "not measured" : String.format(Locale.ROOT, "%.0f %%", 100 * s.generatorCpu())));
    }
    tables.add(new Table("Service time and dispatch lag (ms)", header(many, "level", "service P50", "service P99",
        "service max", "dispatch lag P50", "dispatch lag P99", "dispatch lag max", "fire lag P99", "generator CPU"), rows));
    if (stats.stream().anyMatch(s -> s.images() > 0)) {
      boolean partial = run.plan().partialImages() != null;
      rows = new ArrayList<>();
      for (LevelStats s : stats) {
        List<String> cells = new ArrayList<>(List.of(s.label(), Long.toString(s.images()), rate(s.imagesPerSecond())));
        if (partial) cells.addAll(List.of(p(s.ttft(), "p50"), p(s.ttft(), "p99"), p(s.ttftFromSchedule(), "p99")));
        rows.add(row(many ? "T" + (s.target() + 1) : null, cells.toArray(String[]::new)));
      }
      tables.add(partial
          ? new Table("Images (first partial image = its event's arrival - sent, ms)", header(many, "level", "images", "images/s",
              "first partial image P50", "first partial image P99", "first partial image P99 from schedule"), rows)
          : new Table("Images", header(many, "level", "images", "images/s"), rows));
    }
    if (stats.stream().anyMatch(LevelStats::serverTimed)) {
      rows = new ArrayList<>();
      for (LevelStats s : stats) {
        if (!s.serverTimed()) continue;
        rows.add(row(many ? "T" + (s.target() + 1) : null, s.label(), p(s.serverQueue(), "p50"), p(s.serverQueue(), "p99"),
            p(s.serverCompute(), "p50"), p(s.serverCompute(), "p99"), p(s.serverOverhead(), "p50"), p(s.serverOverhead(), "p99")));
      }
      tables.add(new Table("Server timing (ms, the server's Server-Timing header; overhead = response - server compute)",
          header(many, "level", "queue P50", "queue P99", "compute P50", "compute P99", "overhead P50", "overhead P99"), rows));
    }
    if (run.plan().parsedApi().tokens()) {
      rows = new ArrayList<>();
      for (LevelStats s : stats) {
        rows.add(row(many ? "T" + (s.target() + 1) : null, s.label(), p(s.ttft(), "p50"), p(s.ttft(), "p99"),
            p(s.ttftFromSchedule(), "p99"), LoadOutput.ms(s.tpotRequestMeanNs()), LoadOutput.ms(s.tpotTokenMeanNs()),
            p(s.tpot(), "p99"), p(s.itl(), "p50"), p(s.itl(), "p99"), Long.toString(s.outputTokens()), rate(s.tokensPerSecond()),
            s.tokensCounted() == 0 ? "usage" : s.tokensCounted() + " counted"));
      }
      tables.add(new Table("Tokens (ms)", header(many, "level", "TTFT P50", "TTFT P99", "TTFT P99 from schedule",
          "TPOT mean (requests)", "TPOT mean (tokens)", "TPOT P99", "ITL P50", "ITL P99", "output tokens", "tokens/s",
          "token source"), rows));
    }
    if (stats.stream().anyMatch(s -> !s.errors().isEmpty())) {
      rows = new ArrayList<>();
      for (LevelStats s : stats) {
        if (s.errors().isEmpty()) continue;
        rows.add(row(many ? "T" + (s.target() + 1) : null, s.label(), s.errors().entrySet().stream()
            .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", ")), firstMessage(run, s)));
      }
      tables.add(new Table("Errors by kind", header(many, "level", "errors", "first message"), rows));
    }
    if (many) tables.add(comparison(run));
    return tables;
  }

  /** Every target against the first, per level: the ratio of its response-time figures (below 1 is faster). */
  private static Table comparison(LoadOutput.LoadRun run) {
    List<List<String>> rows = new ArrayList<>();
    for (LevelStats s : run.stats()) {
      if (s.target() == 0) continue;
      LevelStats base = run.stats().stream().filter(b -> b.target() == 0 && b.levelIndex() == s.levelIndex()).findFirst().orElse(null);
      if (base == null || base.response() == null || s.response() == null) continue;
      List<String> r = new ArrayList<>(List.of("T" + (s.target() + 1) + " / T1", s.label()));
      for (String p : List.of("mean", "p50", "p95", "p99")) r.add(ratio(s.response().get(p), base.response().get(p)));
      r.add(ratio(s.achievedRate(), base.achievedRate()));
      rows.add(r);
    }
    return new Table("Targets compared with T1 (ratio; below 1 is faster)", List.of("targets", "level", "mean", "P50",
        "P95", "P99", "achieved req/s"), rows);
  }

  private static String ratio(double a, double b) {
    return b > 0 && Double.isFinite(a) ? String.format(Locale.ROOT, "%.3f", a / b) : "N/A";
  }

  private static String firstMessage(LoadOutput.LoadRun run, LevelStats s) {
    return run.runs().stream().filter(r -> r.target() == s.target() && r.levelIndex() == s.levelIndex())
        .flatMap(r -> r.records().stream()).filter(r -> !r.ok() && !r.warmup() && r.message() != null).map(RequestRecord::message)
        .findFirst().orElse("");
  }

  private static List<String> header(boolean many, String... cells) {
    List<String> h = new ArrayList<>();
    if (many) h.add("target");
    h.addAll(List.of(cells));
    return h;
  }

  private static List<String> row(String target, String... cells) {
    List<String> r = new ArrayList<>();
    if (target != null) r.add(target);
    r.addAll(List.of(cells));
    return r;
  }

  private static String p(Distribution d, String which) {
    return d == null ? "N/A" : LoadOutput.ms(d.get(which));
  }

  private static String rate(double v) {
    if (!Double.isFinite(v)) return "N/A";
    return String.format(Locale.ROOT, v >= 100 ? "%.1f" : v >= 1 ? "%.3f" : "%.4f", v);
  }

  private static List<String> setup(LoadOutput.LoadRun run) {
    LoadPlan p = run.plan();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < p.targets().size(); i++) lines.add("T" + (i + 1) + ": " + p.targets().get(i));
    lines.add("API " + p.api() + ", profile " + p.profile() + (p.perPrompt() != null ? ", per prompt " + p.perPrompt()
        + " (warm-up + measured)" : ", " + LoadOutput.num(p.durationS()) + " s per level" + (p.requests() == null ? "" : " or "
        + p.requests() + " requests")) + ", warm-up " + LoadOutput.num(p.warmupS()) + " s / " + p.warmupRequests() + " requests");
    lines.add((p.http2() ? "HTTP/2" : "HTTP/1.1 keep-alive") + ", at most " + p.connections() + " connections, timeout "
        + LoadOutput.num(p.timeoutS()) + " s, seed " + p.seed() + ", transport " + (run.runs().stream().allMatch(LevelRun::nativeTransport)
            ? "native epoll" : "NIO"));
    return lines;
  }

  static String markdown(LoadOutput.LoadRun run, LoadCharts charts) {
    StringBuilder b = new StringBuilder("# Load test " + run.id() + "\n\n");
    for (String l : setup(run)) b.append("- ").append(md(l)).append('\n');
    if (!run.verdicts().isEmpty()) {
      b.append("\n## Verdicts\n\n");
      for (String v : run.verdicts()) b.append("- ").append(md(v)).append('\n');
    }
    for (Table t : tables(run)) {
      b.append("\n## ").append(t.title()).append("\n\n| ").append(String.join(" | ", t.header().stream().map(LoadReport::md).toList()))
          .append(" |\n|").append("---|".repeat(t.header().size())).append('\n');
      for (List<String> r : t.rows()) b.append("| ").append(String.join(" | ", r.stream().map(LoadReport::md).toList())).append(" |\n");
    }
    for (String section : run.capacitySections()) b.append('\n').append(section);
    b.append("\n## Charts\n\n");
    for (Chart c : charts.drawn()) b.append("![").append(md(c.title())).append("](").append(c.file()).append(")\n");
    for (String n : charts.notes()) b.append("- ").append(md(n)).append('\n');
    b.append("\n## Definitions\n\n");
    for (String d : LevelStats.DEFINITIONS) b.append("- ").append(md(d)).append('\n');
    b.append("\nRaw records: requests.csv (stamps in ns from each level's start), hlog/ (HdrHistogram interval logs).\n");
    return b.toString();
  }

  static String html(LoadOutput.LoadRun run, LoadCharts charts) {
    StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        + "<title>Load test " + esc(run.id()) + "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        + "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        + "th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}</style></head><body>\n");
    b.append("<h1>Load test ").append(esc(run.id())).append("</h1>\n<ul>");
    for (String l : setup(run)) b.append("<li>").append(esc(l)).append("</li>");
    b.append("</ul>\n");
    if (!run.verdicts().isEmpty()) {
      b.append("<h2>Verdicts</h2><ul>");
      for (String v : run.verdicts()) b.append("<li>").append(esc(v)).append("</li>");
      b.append("</ul>\n");
    }
    for (Table t : tables(run)) {
      b.append("<h2>").append(esc(t.title())).append("</h2>\n<table><tr>");
      for (String h : t.header()) b.append("<th>").append(esc(h)).append("</th>");
      b.append("</tr>\n");
      for (List<String> r : t.rows()) {
        b.append("<tr>");
        for (String c : r) b.append("<td>").append(esc(c)).append("</td>");
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    for (String section : run.capacitySections()) b.append("<pre>").append(esc(section)).append("</pre>\n");
    b.append("<h2>Charts</h2>\n");
    for (Chart c : charts.drawn()) b.append("<figure>").append(c.svg()).append("</figure>\n");
    for (String n : charts.notes()) b.append("<p>").append(esc(n)).append("</p>\n");
    b.append("<h2>Definitions</h2><ul>");
    for (String d : LevelStats.DEFINITIONS) b.append("<li>").append(esc(d)).append("</li>");
    return b.append("</ul>\n</body></html>\n").toString();
  }

  /** The console summary: the response-time table and the run directory. */
  static String console(LoadOutput.LoadRun run) {
    StringBuilder b = new StringBuilder();
    for (Table t : tables(run).subList(0, 1)) {
      int[] w = new int[t.header().size()];
      for (int i = 0; i < w.length; i++) w[i] = t.header().get(i).length();
      for (List<String> r : t.rows()) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r.get(i).length());
      b.append(t.title()).append('\n');
      b.append(line(t.header(), w));
      for (List<String> r : t.rows()) b.append(line(r, w));
    }
    for (String v : run.verdicts()) b.append(v).append('\n');
    return b.toString();
  }

  private static String line(List<String> cells, int[] w) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      b.append(i == 0 ? "" : "  ").append(i <= 1 ? c + " ".repeat(w[i] - c.length()) : " ".repeat(w[i] - c.length()) + c);
    }
    return b.toString().stripTrailing() + "\n";
  }

  private static String md(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")
        .replace("[", "\\[").replace("`", "\\`").replace("\n", " ");
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

}
