package io.genbench.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.capacity.CapacityCost;
import io.genbench.capacity.CapacityReport;
import io.genbench.capacity.CapacityResult;
import io.genbench.chart.Chart;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes a load run's directory: {@code load.yaml} (the plan, defaults filled in), {@code requests.csv} (every
 * request's raw stamps: the source of truth), {@code hlog/<target>-<level>.hlog} (HdrHistogram interval logs, one
 * interval a second, tagged response / service / ttft), {@code levels.csv} and {@code results.json} (the figures per
 * level), {@code report.md} and {@code report.html} with {@code charts/*.svg}. Every file is written to a temporary
 * name and renamed.
 */
public final class LoadOutput {
  private LoadOutput() {}

  /**
   * One load run: its plan, its levels as they ran, their figures and judgements (validity, SLO; parallel to
   * {@code stats}), and per target the capacity search's result when the profile searched (else empty).
   */
  public record LoadRun(String id, LoadPlan plan, List<LevelRun> runs, List<LevelStats> stats, List<LevelJudgement> judgements,
      List<CapacityResult> capacity, List<CapacityCost> costs) {
    public LoadRun {
      judgements = judgements == null ? List.of() : List.copyOf(judgements);
      capacity = capacity == null ? List.of() : List.copyOf(capacity);
      costs = costs == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(costs)); // null: not priced
    }

    /** One line per level: VALID or INVALID with reasons, and the SLO's verdict. */
    public List<String> verdicts() {
      return judgements.stream().map(LevelJudgement::describe).toList();
    }

    /** The capacity sections of report.md, one per target searched. */
    public List<String> capacitySections() {
      List<String> out = new ArrayList<>();
      for (int t = 0; t < capacity.size(); t++) {
        String md = CapacityReport.markdown(capacity.get(t), t < costs.size() ? costs.get(t) : null);
        out.add(capacity.size() > 1 ? md.replaceFirst("\n\n", "\n\nTarget T" + (t + 1) + ": " + plan.targets().get(t) + "\n\n") : md);
      }
      return out;
    }
  }

  public static void write(Path dir, LoadRun run) {
    try {
      Files.createDirectories(dir.resolve("hlog"));
      Files.createDirectories(dir.resolve("charts"));
      atomic(dir.resolve("load.yaml"), run.plan().yaml());
      atomic(dir.resolve("requests.csv"), requestsCsv(run.runs()));
      for (LevelRun r : run.runs()) hlog(dir.resolve("hlog/t" + (r.target() + 1) + "-" + r.level().label() + ".hlog"), r);
      atomic(dir.resolve("levels.csv"), levelsCsv(run.stats()));
      atomic(dir.resolve("results.json"), Json.PRETTY.writeValueAsString(json(run)));
      LoadCharts charts = LoadCharts.of(run.runs(), run.stats(), run.plan().parsedApi().tokens());
      for (Chart c : charts.drawn()) atomic(dir.resolve(c.file()), c.document());
      atomic(dir.resolve("report.md"), LoadReport.markdown(run, charts));
      atomic(dir.resolve("report.html"), LoadReport.html(run, charts));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the load run to " + dir + ": " + e.getMessage(), e);
    }
  }

  static String requestsCsv(List<LevelRun> runs) {
    StringBuilder b = new StringBuilder("target,level,index,warmup,prompt,scheduled_ns,fired_ns,sent_ns,first_byte_ns,done_ns,"
        + "response_ns,service_ns,dispatch_lag_ns,ttft_ns,tpot_ns,output_tokens,tokens_counted,images,http_status,error,message,"
        + "server_queue_ms,server_compute_ms\n");
    for (LevelRun run : runs) {
      long t0 = run.startNs();
      List<RequestRecord> sorted = new ArrayList<>(run.records());
      sorted.sort(Comparator.comparingInt(RequestRecord::index));
      for (RequestRecord r : sorted) {
        b.append(run.target() + 1).append(',').append(run.level().label()).append(',').append(r.index()).append(',')
            .append(r.warmup()).append(',').append(r.prompt()).append(',').append(r.scheduledNs() - t0).append(',')
            .append(r.firedNs() - t0).append(',').append(r.sentNs() == 0 ? "" : Long.toString(r.sentNs() - t0)).append(',')
            .append(r.firstByteNs() == 0 ? "" : Long.toString(r.firstByteNs() - t0)).append(',').append(r.doneNs() - t0).append(',')
            .append(r.responseNs()).append(',').append(opt(r.serviceNs())).append(',').append(opt(r.dispatchLagNs())).append(',')
            .append(opt(r.ttftNs())).append(',').append(opt(r.tpotNs())).append(',').append(r.outputTokens()).append(',')
            .append(r.tokensCounted()).append(',').append(r.images()).append(',').append(r.httpStatus()).append(',')
            .append(r.error() == null ? "" : r.error().label()).append(',').append(csvText(r.message())).append(',')
            .append(r.serverQueueMs() == null ? "" : num(r.serverQueueMs())).append(',')
            .append(r.serverComputeMs() == null ? "" : num(r.serverComputeMs())).append('\n');
      }
    }
    return b.toString();
  }

  private static String opt(long v) {
    return v < 0 ? "" : Long.toString(v);
  }

  /** A CSV cell: quoted when needed, and a leading = + - @ neutralised so a spreadsheet shows text, not a formula. */
  static String csvText(String s) {
    if (s == null || s.isEmpty()) return "";
    String t = "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    return t.contains(",") || t.contains("\"") || t.contains("\n") ? "\"" + t.replace("\"", "\"\"") + "\"" : t;
  }

  private static final List<String> METRICS = List.of("response", "service", "dispatch_lag", "ttft", "tpot", "itl");
  /** From the server's Server-Timing header: its queue, its compute, and response − compute (the serving overhead). */
  private static final List<String> SERVER_METRICS = List.of("server_queue", "server_compute", "server_overhead");

  private static Distribution metric(LevelStats s, String m) {
    return switch (m) {
      case "response" -> s.response();
      case "service" -> s.service();
      case "dispatch_lag" -> s.dispatchLag();
      case "ttft" -> s.ttft();
      case "tpot" -> s.tpot();
      case "itl" -> s.itl();
      case "server_queue" -> s.serverQueue();
      case "server_compute" -> s.serverCompute();
      case "server_overhead" -> s.serverOverhead();
      default -> throw new IllegalArgumentException(m);
    };
  }

  static String levelsCsv(List<LevelStats> stats) {
    StringBuilder b = new StringBuilder("target,url,level,offered_rps,concurrency,window_s,requests,ok,errors,error_rate,"
        + "achieved_rps,images,images_per_s,output_tokens,tokens_per_s,tokens_counted,tpot_request_mean_ms,tpot_token_mean_ms,"
        + "generator_cpu");
    for (String m : METRICS) for (String p : List.of("p50", "p90", "p95", "p99", "p99.9", "mean", "max")) b.append(',').append(m).append('_').append(p.replace(".", "")).append("_ms");
    for (String m : SERVER_METRICS) for (String p : List.of("p50", "p99")) b.append(',').append(m).append('_').append(p).append("_ms");
    b.append('\n');
    for (LevelStats s : stats) {
      b.append(s.target() + 1).append(',').append(csvText(s.url())).append(',').append(s.label()).append(',').append(num(s.offeredRate()))
          .append(',').append(s.concurrency()).append(',').append(num(s.windowS())).append(',').append(s.requests()).append(',')
          .append(s.ok()).append(',').append(s.errorCount()).append(',').append(num(s.errorRate())).append(',')
          .append(num(s.achievedRate())).append(',').append(s.images()).append(',').append(num(s.imagesPerSecond())).append(',')
          .append(s.outputTokens()).append(',').append(num(s.tokensPerSecond())).append(',').append(s.tokensCounted()).append(',')
          .append(num(s.tpotRequestMeanNs() / 1e6)).append(',').append(num(s.tpotTokenMeanNs() / 1e6)).append(',')
          .append(num(s.generatorCpu()));
      for (String m : METRICS) {
        Distribution d = metric(s, m);
        for (String p : List.of("p50", "p90", "p95", "p99", "p99.9", "mean", "max")) b.append(',').append(d == null ? "" : num(d.get(p) / 1e6));
      }
      for (String m : SERVER_METRICS) {
        Distribution d = metric(s, m);
        for (String p : List.of("p50", "p99")) b.append(',').append(d == null ? "" : num(d.get(p) / 1e6));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** A number in files: plain, dot decimal in any locale, up to 6 significant digits; empty when not finite. */
  static String num(double v) {
    if (!Double.isFinite(v)) return "";
    if (v == 0) return "0";
    java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros();
    return (d.scale() < 0 ? d.setScale(0) : d).toPlainString();
  }

  static ObjectNode json(LoadRun run) throws IOException {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("run_id", run.id());
    when(root, run.runs()); // for the history (issue 17, item 6)
    root.set("plan", Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(run.plan())));
    ArrayNode defs = root.putArray("definitions");
    LevelStats.DEFINITIONS.forEach(defs::add);
    ArrayNode verdicts = root.putArray("verdicts");
    run.verdicts().forEach(verdicts::add);
    ArrayNode capacity = root.putArray("capacity");
    for (int t = 0; t < run.capacity().size(); t++) {
      CapacityResult c = run.capacity().get(t);
      ObjectNode o = capacity.addObject();
      o.put("target", t + 1);
      o.put("slo", c.slo().toString());
      if (c.lastPassingRate() == null) o.putNull("max_sustainable_rps");
      else o.put("max_sustainable_rps", c.lastPassingRate());
      if (c.firstFailingRate() == null) o.putNull("first_failing_rps");
      else o.put("first_failing_rps", c.firstFailingRate());
      if (c.firstInvalidRate() == null) o.putNull("first_invalid_rps");
      else o.put("first_invalid_rps", c.firstInvalidRate());
      o.put("replicated", c.replicated());
      o.put("binding", c.binding().describe());
      if (c.goodput() == null) o.putNull("goodput_rps");
      else o.put("goodput_rps", c.goodput());
      o.put("stop", c.stop().label());
      o.set("search", Json.MAPPER.valueToTree(c)); // every level the search ran, as io.genbench.capacity writes it
      CapacityCost cost = t < run.costs().size() ? run.costs().get(t) : null;
      if (cost == null) {
        o.putNull("cost");
      } else {
        ObjectNode co = o.putObject("cost");
        co.put("unit", cost.unit().label());
        if (cost.spotUsd() == null) co.putNull("spot_usd");
        else co.put("spot_usd", cost.spotUsd());
        if (cost.ondemandUsd() == null) co.putNull("ondemand_usd");
        else co.put("ondemand_usd", cost.ondemandUsd());
        co.put("price_source", cost.priceSource());
      }
    }
    ArrayNode levels = root.putArray("levels");
    for (int i = 0; i < run.stats().size(); i++) {
      LevelStats s = run.stats().get(i);
      ObjectNode l = levels.addObject();
      if (i < run.judgements().size()) {
        LevelJudgement j = run.judgements().get(i);
        l.put("valid", j.validity().valid());
        ArrayNode reasons = l.putArray("invalid_reasons");
        j.validity().reasons().forEach(reasons::add);
        if (j.slo() == null) l.putNull("slo_pass");
        else l.put("slo_pass", j.slo().pass());
        put(l, "goodput_rps", j.figures().goodput());
      }
      l.put("target", s.target() + 1);
      l.put("url", s.url());
      l.put("level", s.label());
      put(l, "offered_rps", s.offeredRate());
      l.put("concurrency", s.concurrency());
      put(l, "window_s", s.windowS());
      l.put("requests", s.requests());
      l.put("ok", s.ok());
      l.put("warmup", s.warmup());
      ObjectNode errors = l.putObject("errors");
      s.errors().forEach((k, v) -> errors.put(k.label(), v));
      put(l, "achieved_rps", s.achievedRate());
      l.put("images", s.images());
      put(l, "images_per_s", s.imagesPerSecond());
      l.put("output_tokens", s.outputTokens());
      put(l, "tokens_per_s", s.tokensPerSecond());
      l.put("tokens_counted", s.tokensCounted());
      put(l, "tpot_request_mean_ns", s.tpotRequestMeanNs());
      put(l, "tpot_token_mean_ns", s.tpotTokenMeanNs());
      put(l, "generator_cpu", s.generatorCpu());
      l.put("native_transport", s.nativeTransport());
      for (String m : List.of("response", "service", "dispatch_lag", "fire_lag", "ttft", "ttft_from_schedule", "tpot", "itl",
          "server_queue", "server_compute", "server_overhead")) {
        Distribution d = switch (m) {
          case "fire_lag" -> s.fireLag();
          case "ttft_from_schedule" -> s.ttftFromSchedule();
          default -> metric(s, m);
        };
        if (d == null) {
          l.putNull(m + "_ns");
          continue;
        }
        ObjectNode o = l.putObject(m + "_ns");
        o.put("n", d.n());
        put(o, "mean", d.meanNs());
        o.put("min", d.minNs());
        o.put("p50", d.p50Ns());
        o.put("p90", d.p90Ns());
        o.put("p95", d.p95Ns());
        o.put("p99", d.p99Ns());
        o.put("p99_9", d.p999Ns());
        o.put("max", d.maxNs());
      }
    }
    return root;
  }

  /**
   * {@code started_at} / {@code finished_at} (UTC, to the second), {@code host} and {@code genbench_version}: the run is
   * written as it ends, so it finished now and started its levels' span (first start to last end, the levels' monotonic
   * clock) earlier.
   */
  private static void when(ObjectNode root, List<LevelRun> runs) {
    java.time.Instant end = java.time.Instant.now();
    long span = runs.stream().mapToLong(LevelRun::endNs).max().orElse(0) - runs.stream().mapToLong(LevelRun::startNs).min().orElse(0);
    root.put("started_at", end.minusNanos(Math.max(0, span)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    root.put("finished_at", end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
    root.put("host", host);
    String version = LoadOutput.class.getPackage().getImplementationVersion();
    root.put("genbench_version", version == null ? "0.1.0-dev" : version);
  }

  private static void put(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) o.put(key, v);
    else o.putNull(key);
  }

  /** Interval histograms a second wide (by completion time) of response, service and TTFT, in nanoseconds. */
  static void hlog(Path file, LevelRun run) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (PrintStream out = new PrintStream(Files.newOutputStream(tmp), false, StandardCharsets.UTF_8)) {
      HistogramLogWriter w = new HistogramLogWriter(out);
      w.outputComment("genbench load: " + run.url() + " level " + run.level().label()
          + "; values in ns; tags response (done - scheduled), service (done - sent), ttft (first token - sent)");
      w.outputLogFormatVersion();
      w.outputStartTime(0);
      w.outputLegend();
      List<RequestRecord> measured = run.records().stream().filter(r -> !r.warmup() && r.ok()).toList();
      long end = measured.stream().mapToLong(RequestRecord::doneNs).max().orElse(run.startNs());
      for (long s = 0; run.startNs() + s * 1_000_000_000L <= end; s++) {
        long from = run.startNs() + s * 1_000_000_000L;
        long to = from + 1_000_000_000L;
        for (String tag : List.of("response", "service", "ttft")) {
          Function<RequestRecord, Long> value = switch (tag) {
            case "response" -> RequestRecord::responseNs;
            case "service" -> RequestRecord::serviceNs;
            default -> RequestRecord::ttftNs;
          };
          Histogram h = new Histogram(3);
          for (RequestRecord r : measured) {
            if (r.doneNs() < from || r.doneNs() >= to) continue;
            long v = value.apply(r);
            if (v >= 0) h.recordValue(Math.max(1, v));
          }
          if (h.getTotalCount() == 0) continue;
          h.setTag(tag);
          w.outputIntervalHistogram(s, s + 1, h, 1e6);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void atomic(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String ms(double ns) {
    if (!Double.isFinite(ns)) return "N/A";
    double ms = ns / 1e6;
    return String.format(Locale.ROOT, ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : ms >= 1 ? "%.2f" : "%.3f", ms);
  }
}
