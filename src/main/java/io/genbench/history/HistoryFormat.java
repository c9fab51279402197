package io.genbench.history;

import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How {@code genbench history} prints runs and a case's trend: a Markdown table for people, CSV (every column, RFC 4180,
 * {@code \n} line ends) or JSON (the records, snake_case) for tools. Times are UTC; decimals never use a comma.
 */
public enum HistoryFormat {
  TABLE, CSV, JSON;

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** {@code table}, {@code csv} or {@code json}; anything else is a usage error naming the choices. */
  public static HistoryFormat parse(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "table" -> TABLE;
      case "csv" -> CSV;
      case "json" -> JSON;
      default -> throw new UserError("--format must be table, csv or json, was '" + text + "'");
    };
  }

  /** The runs, in the order given. */
  public String runs(List<RunRecord> runs) {
    return switch (this) {
      // a load run's ok / done / planned count its levels (ok: VALID ones), a case run's its cases
      case TABLE -> table(List.of("run", "kind", "started (UTC)", "host", "backend", "device", "ok", "done", "planned", "plan",
          "genbench"), "llllllrrrll", runs, r -> List.of(r.runId(), or(r.kind()), MINUTE.format(r.startedAt()), or(r.host()), or(r.backend()), or(r.device()),
              String.valueOf(r.casesSuccess()), String.valueOf(r.casesFinished()), String.valueOf(r.casesPlanned()),
              or(r.planName()), genbench(r)));
      case CSV -> csv(List.of("run_key", "run_id", "run_dir", "started_at", "finished_at", "backend", "device", "host",
          "genbench_version", "git_commit", "plan_name", "plan_sha256", "cases_planned", "cases_finished", "cases_success", "kind"),
          runs, r -> cells(r.runKey(), r.runId(), r.runDir(), r.startedAt(), r.finishedAt(), r.backend(), r.device(), r.host(),
              r.genbenchVersion(), r.gitCommit(), r.planName(), r.planSha256(), r.casesPlanned(), r.casesFinished(),
              r.casesSuccess(), r.kind()));
      case JSON -> json(runs);
    };
  }

  /** One case's figures over runs, oldest first. */
  public String trend(String caseId, List<TrendPoint> points) {
    return switch (this) {
      case TABLE -> trendTable(points);
      case CSV -> csv(List.of("run_key", "run_id", "started_at", "case_id", "model", "requested_instance", "actual_instance",
          "lifecycle", "spot_usd_per_hour", "ondemand_usd_per_hour", "price_source", "batch_size", "inference_steps",
          "resolution", "precision", "backend", "device", "status", "verdict", "e2e_p50_ms", "e2e_p95_ms", "e2e_p99_ms",
          "images_per_s", "tokens_per_s", "peak_memory_bytes", "memory_kind", "cost_1000_images_ondemand_usd",
          "cost_1000_images_spot_usd", "cost_1m_tokens_ondemand_usd", "cost_1m_tokens_spot_usd", "trials", "iterations"),
          points, p -> {
            CaseRecord c = p.result();
            return cells(p.run().runKey(), p.run().runId(), p.run().startedAt(), c.caseId(), c.model(), c.requestedInstance(),
                c.actualInstance(), c.lifecycle(), c.spotUsdPerHour(), c.ondemandUsdPerHour(), c.priceSource(), c.batchSize(),
                c.inferenceSteps(), c.resolution(), c.precision(), c.backend(), c.device(), c.status(), c.verdict(),
                c.e2eP50Ms(), c.e2eP95Ms(), c.e2eP99Ms(), c.imagesPerS(), c.tokensPerS(), c.peakMemoryBytes(),
                c.memoryKind(), c.cost1000ImagesOndemandUsd(), c.cost1000ImagesSpotUsd(), c.cost1mTokensOndemandUsd(),
                c.cost1mTokensSpotUsd(), c.trials(), c.iterations());
          });
      case JSON -> json(new Trend(caseId, points));
    };
  }

  /** The JSON of a trend. */
  private record Trend(String caseId, List<TrendPoint> points) {}

  /**
   * A load URL's levels over runs, oldest run first: the table shows {@code metrics}, CSV and JSON every figure of each
   * level (as the case trend's do).
   */
  public String loadTrend(String url, List<LoadMetric> metrics, List<LoadTrendPoint> points) {
    return switch (this) {
      case TABLE -> loadTrendTable(metrics, points);
      case CSV -> csv(List.of("run_key", "run_id", "started_at", "target", "url", "level", "offered_rps", "concurrency",
          "requests", "ok", "error_rate", "achieved_rps", "response_p50_ms", "response_p95_ms", "response_p99_ms", "ttft_p50_ms",
          "ttft_p99_ms", "tpot_p50_ms", "images_per_s", "tokens_per_s", "verdict", "slo"), points, p -> {
            LoadLevelRecord l = p.level();
            return cells(p.run().runKey(), p.run().runId(), p.run().startedAt(), l.target(), l.url(), l.level(), l.offeredRps(),
                l.concurrency(), l.requests(), l.ok(), l.errorRate(), l.achievedRps(), l.responseP50Ms(), l.responseP95Ms(),
                l.responseP99Ms(), l.ttftP50Ms(), l.ttftP99Ms(), l.tpotP50Ms(), l.imagesPerS(), l.tokensPerS(), l.verdict(), l.slo());
          });
      case JSON -> json(new LoadTrend(url, points));
    };
  }

  /** The JSON of a load trend. */
  private record LoadTrend(String url, List<LoadTrendPoint> points) {}

  private static String loadTrendTable(List<LoadMetric> metrics, List<LoadTrendPoint> points) {
    List<String> header = new ArrayList<>(List.of("run", "started (UTC)", "level", "verdict", "slo", "requests"));
    metrics.forEach(m -> header.add(m.header()));
    String table = table(header, "lllllr" + "r".repeat(metrics.size()), points, p -> {
      List<String> row = new ArrayList<>(List.of(p.run().runId(), MINUTE.format(p.run().startedAt()), p.level().level(),
          or(p.level().verdict()), or(p.level().slo()), String.valueOf(p.level().requests())));
      metrics.forEach(m -> row.add(m.format(p.level())));
      return row;
    });
    // per level, the first metric's change from the oldest to the newest run that has it
    LoadMetric first = metrics.getFirst();
    List<String> changes = new ArrayList<>();
    for (String label : points.stream().map(p -> p.level().level()).distinct().toList()) {
      List<LoadTrendPoint> measured = points.stream().filter(p -> p.level().level().equals(label) && first.of(p.level()) != null).toList();
      if (measured.size() < 2) continue;
      LoadTrendPoint a = measured.getFirst();
      LoadTrendPoint b = measured.getLast();
      double from = first.of(a.level());
      double to = first.of(b.level());
      changes.add(label + " " + first.id() + ": " + first.format(a.level()) + " in " + a.run().runId() + ", "
          + first.format(b.level()) + " in " + b.run().runId()
          + (from == 0 ? "" : String.format(Locale.ROOT, " (%+.1f %%)", (to / from - 1) * 100)) + ", over " + measured.size() + " runs");
    }
    return changes.isEmpty() ? table : table + "\n" + io.genbench.Printable.text(String.join("\n", changes)) + "\n";
  }

  private static String trendTable(List<TrendPoint> points) {
    boolean tokens = !points.isEmpty() && points.stream().map(TrendPoint::result).allMatch(c -> c.tokens() || c.imagesPerS() == null)
        && points.stream().anyMatch(p -> p.result().tokens());
    List<String> header = List.of("run", "started (UTC)", "status", "verdict", "p50 ms", "p95 ms", "p99 ms",
        tokens ? "tokens/s" : "images/s", "peak memory", tokens ? "$/1M tok on-demand" : "$/1k img on-demand",
        tokens ? "$/1M tok spot" : "$/1k img spot", "instance", "device");
    String table = table(header, "llllrrrrrrrll", points, p -> {
      CaseRecord c = p.result();
      return List.of(p.run().runId(), MINUTE.format(p.run().startedAt()), c.status(), or(c.verdict()), fixed(c.e2eP50Ms(), 2),
          fixed(c.e2eP95Ms(), 2), fixed(c.e2eP99Ms(), 2), fixed(tokens ? c.tokensPerS() : c.imagesPerS(), 3), memory(c),
          money(tokens ? c.cost1mTokensOndemandUsd() : c.cost1000ImagesOndemandUsd()),
          money(tokens ? c.cost1mTokensSpotUsd() : c.cost1000ImagesSpotUsd()), or(c.actualInstance()), or(c.device()));
    });
    List<TrendPoint> measured = points.stream().filter(p -> p.result().e2eP50Ms() != null).toList();
    if (measured.size() < 2) return table;
    double first = measured.getFirst().result().e2eP50Ms();
    double last = measured.getLast().result().e2eP50Ms();
    return table + io.genbench.Printable.text(String.format(Locale.ROOT,
        "%np50 e2e: %.2f ms in %s, %.2f ms in %s (%+.1f %%), over %d measured runs%n", first, measured.getFirst().run().runId(),
        last, measured.getLast().run().runId(), (last / first - 1) * 100, measured.size()));
  }

  private static String genbench(RunRecord r) {
    String commit = r.gitCommit() == null || r.gitCommit().equals("unknown") ? ""
        : " " + r.gitCommit().substring(0, Math.min(7, r.gitCommit().length())) + (r.gitCommit().endsWith("-dirty") ? "-dirty" : "");
    return (r.genbenchVersion() == null ? "" : r.genbenchVersion()) + commit;
  }

  private static String memory(CaseRecord c) {
    if (c.peakMemoryBytes() == null) return "";
    return String.format(Locale.ROOT, "%.2f GB", c.peakMemoryBytes() / 1e9) + (c.memoryKind() == null ? "" : " " + c.memoryKind());
  }

  private static String fixed(Double v, int decimals) {
    return v == null ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String money(BigDecimal v) {
    return v == null ? "" : v.toPlainString();
  }

  private static String or(String s) {
    return s == null ? "" : s;
  }

  /** A Markdown table, its columns padded to their widest cell; {@code align} has {@code l} or {@code r} per column. */
  private static <T> String table(List<String> header, String align, List<T> rows, Function<T, List<String>> cells) {
    List<List<String>> body = rows.stream().map(cells).map(row -> row.stream().map(HistoryFormat::tableCell).toList()).toList();
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = Math.max(3, header.get(i).length());
      for (List<String> row : body) width[i] = Math.max(width[i], row.get(i).length());
    }
    StringBuilder out = new StringBuilder();
    line(out, header, width, align);
    List<String> rule = new ArrayList<>();
    for (int i = 0; i < width.length; i++) rule.add(align.charAt(i) == 'r' ? "-".repeat(width[i] - 1) + ":" : "-".repeat(width[i]));
    line(out, rule, width, "l".repeat(width.length));
    for (List<String> row : body) line(out, row, width, align);
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] width, String align) {
    out.append('|');
    for (int i = 0; i < cells.size(); i++) {
      String pad = " ".repeat(width[i] - cells.get(i).length());
      out.append(' ').append(align.charAt(i) == 'r' ? pad + cells.get(i) : cells.get(i) + pad).append(" |");
    }
    out.append('\n');
  }

  private static String tableCell(String s) {
    return io.genbench.Printable.text(s.replace("|", "\\|").replace('\n', ' '));
  }

  private static <T> String csv(List<String> header, List<T> rows, Function<T, List<String>> cells) {
    StringBuilder out = new StringBuilder(String.join(",", header)).append('\n');
    for (T row : rows) out.append(String.join(",", cells.apply(row).stream().map(HistoryFormat::csvCell).toList())).append('\n');
    return out.toString();
  }

  /** CSV cells: empty for null, numbers in plain decimal notation, instants in ISO-8601. */
  private static List<String> cells(Object... values) {
    List<String> out = new ArrayList<>(values.length);
    for (Object v : values) {
      out.add(switch (v) {
        case null -> "";
        case Double d -> BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        case BigDecimal d -> d.toPlainString();
        case Instant t -> HistoryStore.time(t);
        default -> v.toString();
      });
    }
    return out;
  }

  private static String csvCell(String s) {
    return io.genbench.CsvField.of(s);
  }

  private static String json(Object value) {
    try {
      return Json.PRETTY.writeValueAsString(value) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
