package io.genbench.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Grafana dashboard of {@code genbench serve} (and {@code run} / {@code load --metrics-port}), generated from {@link Metric}: every
 * query names its series through the list, so a renamed metric renames the query. The committed copy,
 * {@value #COMMITTED}, is this class's output; a test regenerates it and compares.
 *
 * <p>Latency panels are {@code histogram_quantile} over the {@code _bucket} series' rates (P50, P95, P99 by model);
 * rates use Grafana's {@code $__rate_interval}; the data source is the dashboard's {@code datasource} variable, so the
 * file works provisioned or imported.
 *
 * <p>Regenerate: {@code java -cp <classpath> io.genbench.metrics.GrafanaDashboard deploy/grafana/genbench-dashboard.json},
 * or run {@code GrafanaDashboardTest} with {@code -Dgenbench.dashboard.write=true}.
 */
public final class GrafanaDashboard {
  /** Where the generated dashboard is committed, relative to the repository root. */
  public static final String COMMITTED = "deploy/grafana/genbench-dashboard.json";
  /** The dashboard's uid: provisioning and links find it by this. */
  public static final String UID = "genbench-serve";

  private static final String RATE_WINDOW = "$__rate_interval";
  private static final List<Double> QUANTILES = List.of(0.5, 0.95, 0.99);
  private static final int WIDTH = 24;

  private GrafanaDashboard() {}

  /** One query of a panel. */
  public record Query(String expr, String legend) {}

  /** One panel: a time series of its queries, in {@code unit} (Grafana's unit id). */
  public record Panel(String title, String description, String unit, int width, List<Query> queries) {}

  /** A titled row of panels. */
  public record Row(String title, List<Panel> panels) {}

  /** The dashboard's rows, in order. */
  public static List<Row> rows() {
    return List.of(
        new Row("Requests", List.of(
            panel("Request rate by status", Metric.REQUESTS, "reqps", 12,
                new Query("sum by (endpoint, status) (" + rate(Metric.REQUESTS, "") + ")", "{{endpoint}} {{status}}")),
            panel("Queued requests", Metric.QUEUE_REQUESTS, "short", 6,
                new Query("sum(" + series(Metric.QUEUE_REQUESTS) + ")", "queued")),
            panel("Ready", Metric.READY, "short", 6,
                new Query("min(" + series(Metric.READY) + ")", "ready")))),
        new Row("Latency (image requests)", List.of(
            quantiles("End-to-end latency", Metric.REQUEST_E2E_SECONDS, "model", 6),
            quantiles("Queue time", Metric.REQUEST_QUEUE_SECONDS, "model", 6),
            quantiles("Compute time", Metric.REQUEST_COMPUTE_SECONDS, "model", 6),
            quantiles("Encode time", Metric.REQUEST_ENCODE_SECONDS, "model", 6))),
        new Row("Batches and throughput", List.of(
            panel("Batch size", Metric.BATCH_SIZE, "short", 8,
                new Query("sum by (model) (" + rate(Metric.BATCH_SIZE, "_sum") + ") / sum by (model) ("
                    + rate(Metric.BATCH_SIZE, "_count") + ")", "mean {{model}}"),
                quantileQuery(0.5, Metric.BATCH_SIZE, "model"), quantileQuery(0.99, Metric.BATCH_SIZE, "model")),
            panel("Images per second", Metric.IMAGES, "short", 8,
                new Query("sum by (model) (" + rate(Metric.IMAGES, "") + ")", "{{model}}")),
            panel("Tokens per second", Metric.TOKENS, "short", 8,
                new Query("sum by (model, kind) (" + rate(Metric.TOKENS, "") + ")", "{{kind}} {{model}}")))),
        new Row("GPU", List.of(
            panel("GPU utilisation", Metric.GPU_UTILIZATION_RATIO, "percentunit", 8,
                new Query("max by (instance, gpu) (" + series(Metric.GPU_UTILIZATION_RATIO) + ")", "{{instance}} GPU {{gpu}}")),
            panel("GPU memory used", Metric.GPU_MEMORY_USED_BYTES, "bytes", 8,
                new Query("max by (instance, gpu) (" + series(Metric.GPU_MEMORY_USED_BYTES) + ")", "{{instance}} GPU {{gpu}}")),
            panel("GPU power", Metric.GPU_POWER_WATTS, "watt", 8,
                new Query("max by (instance, gpu) (" + series(Metric.GPU_POWER_WATTS) + ")", "{{instance}} GPU {{gpu}}")))),
        new Row("LLM (vLLM's metric names)", List.of(
            quantiles("Time to first token", Metric.VLLM_TIME_TO_FIRST_TOKEN_SECONDS, "model_name"),
            quantiles("Inter-token latency", Metric.VLLM_INTER_TOKEN_LATENCY_SECONDS, "model_name"),
            quantiles("LLM queue time", Metric.VLLM_REQUEST_QUEUE_TIME_SECONDS, "model_name"),
            quantiles("LLM end-to-end latency", Metric.VLLM_E2E_REQUEST_LATENCY_SECONDS, "model_name"),
            panel("Worker restarts", Metric.WORKER_RESTARTS, "short", 8,
                new Query("sum by (backend) (increase(" + series(Metric.WORKER_RESTARTS) + "[5m]))", "{{backend}} (last 5 min)")))),
        new Row("genbench run (--metrics-port)", List.of(
            panel("Cases", Metric.RUN_CASES_DONE, "short", 6,
                new Query("max(" + series(Metric.RUN_CASES_DONE) + ")", "done"),
                new Query("max(" + series(Metric.RUN_CASES) + ")", "planned")),
            panel("Case being measured", Metric.RUN_CURRENT_CASE, "short", 6,
                new Query("max by (case) (" + series(Metric.RUN_CURRENT_CASE) + ") > 0", "{{case}}")),
            panel("Samples", Metric.RUN_SAMPLES, "short", 6,
                new Query("max(" + series(Metric.RUN_SAMPLES) + ")", "samples")),
            panel("Time left", Metric.RUN_ETA_SECONDS, "s", 6,
                new Query("max(" + series(Metric.RUN_ETA_SECONDS) + ")", "ETA")))),
        new Row("genbench load (--metrics-port)", List.of(
            panel("Load requests by outcome", Metric.LOAD_REQUESTS, "reqps", 8,
                new Query("sum by (target, outcome, status) (" + rate(Metric.LOAD_REQUESTS, "") + ")",
                    "{{target}} {{outcome}} {{status}}")),
            panel("Offered and achieved rate", Metric.LOAD_ACHIEVED_REQUESTS_PER_SECOND, "reqps", 8,
                new Query("max by (target, level) (" + series(Metric.LOAD_OFFERED_REQUESTS_PER_SECOND) + ")", "offered {{level}}"),
                new Query("max by (target, level) (" + series(Metric.LOAD_ACHIEVED_REQUESTS_PER_SECOND) + ")", "achieved {{level}}")),
            panel("Level being run", Metric.LOAD_CURRENT_LEVEL, "short", 8,
                new Query("max by (target, level) (" + series(Metric.LOAD_CURRENT_LEVEL) + ") > 0", "{{target}} {{level}}")),
            quantiles("Load response time (from the schedule)", Metric.LOAD_RESPONSE_SECONDS, "level"),
            quantiles("Load service time", Metric.LOAD_SERVICE_SECONDS, "level"),
            quantiles("Load dispatch lag", Metric.LOAD_DISPATCH_LAG_SECONDS, "level"))));
  }

  /** Every query's expression, in panel order. */
  public static List<String> expressions() {
    return rows().stream().flatMap(r -> r.panels().stream()).flatMap(p -> p.queries().stream()).map(Query::expr).toList();
  }

  /** The dashboard as Grafana's JSON model, indented, ending with a newline. */
  public static String json() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("title", "genbench serve");
    root.put("uid", UID);
    root.put("description", "Generated by io.genbench.metrics.GrafanaDashboard from the metric list (io.genbench.metrics.Metric);"
        + " regenerate instead of editing.");
    root.putArray("tags").add("genbench");
    root.put("editable", true);
    root.put("graphTooltip", 1);
    root.put("schemaVersion", 39);
    root.put("version", 1);
    root.put("refresh", "10s");
    root.put("timezone", "");
    ObjectNode time = root.putObject("time");
    time.put("from", "now-30m");
    time.put("to", "now");
    ObjectNode datasource = root.putObject("templating").putArray("list").addObject();
    datasource.put("name", "datasource");
    datasource.put("label", "Prometheus");
    datasource.put("type", "datasource");
    datasource.put("query", "prometheus");
    datasource.put("hide", 0);
    datasource.putObject("current");
    ArrayNode panels = root.putArray("panels");
    int id = 1;
    int y = 0;
    for (Row row : rows()) {
      ObjectNode r = panels.addObject();
      r.put("id", id++);
      r.put("type", "row");
      r.put("title", row.title());
      r.put("collapsed", false);
      grid(r, 0, y, WIDTH, 1);
      r.putArray("panels");
      y += 1;
      int x = 0;
      for (Panel p : row.panels()) {
        if (x + p.width() > WIDTH) {
          x = 0;
          y += 8;
        }
        panels.add(panel(p, id++, x, y));
        x += p.width();
      }
      y += 8;
    }
    try {
      return Json.PRETTY.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the dashboard to {@code args[0]} (default {@value #COMMITTED}). */
  public static void main(String[] args) {
    Path out = Path.of(args.length > 0 ? args[0] : COMMITTED);
    try {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      Files.writeString(out, json(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(out);
  }

  private static ObjectNode panel(Panel p, int id, int x, int y) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", id);
    n.put("type", "timeseries");
    n.put("title", p.title());
    n.put("description", p.description());
    datasource(n);
    grid(n, x, y, p.width(), 8);
    ObjectNode fieldConfig = n.putObject("fieldConfig");
    ObjectNode defaults = fieldConfig.putObject("defaults");
    defaults.put("unit", p.unit());
    defaults.putObject("custom").put("fillOpacity", 10);
    fieldConfig.putArray("overrides");
    ObjectNode options = n.putObject("options");
    ObjectNode legend = options.putObject("legend");
    legend.put("displayMode", "list");
    legend.put("placement", "bottom");
    legend.put("showLegend", true);
    ObjectNode tooltip = options.putObject("tooltip");
    tooltip.put("mode", "multi");
    tooltip.put("sort", "desc");
    ArrayNode targets = n.putArray("targets");
    char ref = 'A';
    for (Query q : p.queries()) {
      ObjectNode t = targets.addObject();
      t.put("refId", String.valueOf(ref++));
      datasource(t);
      t.put("expr", q.expr());
      t.put("legendFormat", q.legend());
      t.put("range", true);
    }
    return n;
  }

  private static void datasource(ObjectNode n) {
    ObjectNode ds = n.putObject("datasource");
    ds.put("type", "prometheus");
    ds.put("uid", "${datasource}");
  }

  private static void grid(ObjectNode n, int x, int y, int w, int h) {
    ObjectNode g = n.putObject("gridPos");
    g.put("h", h);
    g.put("w", w);
    g.put("x", x);
    g.put("y", y);
  }

  private static Panel panel(String title, Metric m, String unit, int width, Query... queries) {
    return new Panel(title, m.help() + " (" + m.metricName() + ")", unit, width, List.of(queries));
  }

  /** P50, P95 and P99 of a latency histogram, by {@code label}. */
  private static Panel quantiles(String title, Metric m, String label) {
    return quantiles(title, m, label, 8);
  }

  private static Panel quantiles(String title, Metric m, String label, int width) {
    List<Query> queries = new ArrayList<>();
    for (double q : QUANTILES) queries.add(quantileQuery(q, m, label));
    return new Panel(title, m.help() + " (" + m.metricName() + ")", "s", width, queries);
  }

  private static Query quantileQuery(double q, Metric m, String label) {
    String percentile = "p" + String.format(Locale.ROOT, "%.0f", q * 100);
    return new Query("histogram_quantile(" + q + ", sum by (le, " + label + ") (" + rate(m, "_bucket") + "))",
        percentile + " {{" + label + "}}");
  }

  /** {@code rate(series[$__rate_interval])}; {@code suffix} picks a histogram's series, "" a counter's. */
  private static String rate(Metric m, String suffix) {
    String name = suffix.isEmpty() ? series(m) : m.metricName() + suffix;
    if (!m.series().contains(name)) throw new IllegalArgumentException(name + " is not a series of " + m);
    return "rate(" + name + "[" + RATE_WINDOW + "])";
  }

  /** The one series of a counter or gauge. */
  private static String series(Metric m) {
    if (m.type() == Metric.Type.HISTOGRAM) throw new IllegalArgumentException(m + " is a histogram: name one of " + m.series());
    return m.series().getFirst();
  }
}
