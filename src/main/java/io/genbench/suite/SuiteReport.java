package io.genbench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * The views of a suite run, rebuilt from its raw {@code suite.jsonl} alone: {@code results.json}, one CSV per record
 * kind ({@code collective.csv}, {@code pipeline.csv}, ...), {@code report.md} and the console summary. Collective
 * records get {@code algbw_gb_s}, {@code bus_factor} and {@code busbw_gb_s} here, by {@link Collective}'s definitions,
 * from the worker's {@code bytes} and {@code time_ns}.
 */
public final class SuiteReport {
  /** One launch: its process count, status ({@code ok}, {@code incorrect}, {@code failed}, {@code timeout}) and records. */
  public record Run(int processes, String status, String failure, SuiteEvent.Start start, List<Row> records) {
    public boolean ok() {
      return status.equals("ok");
    }
  }

  private final String experiment;
  private final List<Run> runs;

  private final String unreadable;

  private SuiteReport(String experiment, List<Run> runs) {
    this(experiment, runs, null);
  }

  private SuiteReport(String experiment, List<Run> runs, String unreadable) {
    this.experiment = experiment;
    this.runs = List.copyOf(runs);
    this.unreadable = unreadable;
  }

  /** What of the event log could not be read, e.g. {@code 2 lines of … are left out of every figure: lines 5, 9}. */
  public java.util.Optional<String> unreadable() {
    return java.util.Optional.ofNullable(unreadable);
  }

  /** The first ten line numbers, then how many more. */
  private static String lines(List<Integer> numbers) {
    String shown = String.join(", ", numbers.stream().limit(10).map(String::valueOf).toList());
    return numbers.size() > 10 ? shown + " and " + (numbers.size() - 10) + " more" : shown;
  }

  public List<Run> runs() {
    return runs;
  }

  public String experiment() {
    return experiment;
  }

  /** True when every launch finished and every correctness check held. */
  public boolean ok() {
    return !runs.isEmpty() && runs.stream().allMatch(Run::ok);
  }

  /** How many records carry a correctness check's verdict (a boolean {@code correct}); seq-scaling, say, has none. */
  public long checks() {
    return runs.stream().flatMap(r -> r.records().stream()).filter(r -> r.values().correct() != null).count();
  }

  /**
   * The report of an event log. Only whole events are ever written to it, so a line that is not one (torn by a kill,
   * edited) is left out of every figure, and {@link #unreadable()} says how many and which.
   */
  public static SuiteReport read(Path eventLog) {
    try {
      List<ObjectNode> events = new ArrayList<>();
      List<Integer> unread = new ArrayList<>();
      int number = 0;
      for (String line : Files.readAllLines(eventLog, StandardCharsets.UTF_8)) {
        number++;
        if (line.isBlank()) continue;
        ObjectNode e = Launcher.parse(line);
        if (e != null) events.add(e);
        else unread.add(number);
      }
      SuiteReport report = of(events);
      return unread.isEmpty() ? report : new SuiteReport(report.experiment, report.runs,
          unread.size() + (unread.size() == 1 ? " line" : " lines") + " of " + eventLog + " could not be read (torn or edited)"
              + " and " + (unread.size() == 1 ? "is" : "are") + " left out of every figure: line"
              + (unread.size() == 1 ? " " : "s ") + lines(unread));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + eventLog, e);
    }
  }

  /** From the event sequence: {@code launch}, the worker's events, {@code exit}, repeated per launch. */
  public static SuiteReport of(List<ObjectNode> events) {
    List<Run> runs = new ArrayList<>();
    String experiment = "";
    int processes = 0;
    SuiteEvent.Start start = null;
    List<Row> records = new ArrayList<>();
    Boolean correct = null;
    String failure = null;
    String plan = null;
    boolean open = false;
    for (ObjectNode line : events) {
      switch (SuiteEvent.of(line)) {
        case SuiteEvent.Plan p -> plan = p.name();
        case SuiteEvent.Launch l -> {
          if (open) runs.add(unfinished(processes, start, records));
          open = true;
          processes = l.processes();
          start = null;
          records = new ArrayList<>();
          correct = null;
          failure = null;
        }
        case SuiteEvent.Start s -> {
          start = s;
          experiment = s.experiment();
        }
        case SuiteEvent.Record r -> records.add(enrich(r));
        case SuiteEvent.Done d -> correct = d.correct();
        case SuiteEvent.Failed f -> failure = f.kind() + ": " + f.message();
        case SuiteEvent.Exit x -> {
          String status;
          if (x.timedOut()) status = "timeout";
          else if (failure != null || correct == null || x.exitCode() != 0) status = "failed";
          else status = correct ? "ok" : "incorrect";
          if (status.equals("failed") && failure == null) failure = "launcher exited with code " + x.exitCode();
          if (status.equals("timeout")) failure = "killed after the timeout";
          runs.add(new Run(processes, status, failure, start, records));
          open = false;
        }
        case SuiteEvent.Other o -> { } // hello and events of later protocol versions: kept in the raw log only
      }
    }
    if (open) runs.add(unfinished(processes, start, records));
    for (Run r : runs) judgeAgainstLink(r.records());
    scaling(runs, "tp", Row.Values::tpSize, Row.Values::decodeTokensPerS, Row.Values::prefillMs,
        v -> List.of(v.model(), v.batchSize(), String.valueOf(v.promptTokens()), String.valueOf(v.outputTokens())));
    scaling(runs, "pipeline", Row.Values::gpuCount, v -> v.steadyStateSamplesPerSec() == null ? 0 : v.steadyStateSamplesPerSec(),
        Row.Values::perSampleSec, v -> List.of());
    return new SuiteReport(plan != null ? plan : experiment, runs);
  }

  /** A launch with no {@code exit}: genbench itself was killed or interrupted while it ran; what it recorded is kept. */
  private static Run unfinished(int processes, SuiteEvent.Start start, List<Row> records) {
    return new Run(processes, "unfinished", "no exit recorded: genbench was killed or interrupted during this launch;"
        + " the records it wrote before are kept", start, records);
  }

  /**
   * Adds {@code speedup} (throughput over the 1-rank run's) and {@code scaling_efficiency} (speed-up / ranks) to the
   * rows of {@code kind}, and {@code latency_speedup} from a latency figure; nothing when no 1-rank row exists.
   */
  static void scaling(List<Run> runs, String kind, ToIntFunction<Row.Values> size, ToDoubleFunction<Row.Values> throughput,
      ToDoubleFunction<Row.Values> latency, Function<Row.Values, List<Object>> same) {
    Map<List<Object>, List<Row>> groups = new LinkedHashMap<>();
    runs.stream().flatMap(r -> r.records().stream()).filter(r -> r.kind().equals(kind))
        .forEach(row -> groups.computeIfAbsent(same.apply(row.values()), k -> new ArrayList<>()).add(row));
    for (List<Row> rows : groups.values()) scaleGroup(rows, size, throughput, latency);
  }

  private static void scaleGroup(List<Row> rows, ToIntFunction<Row.Values> size, ToDoubleFunction<Row.Values> throughput,
      ToDoubleFunction<Row.Values> latency) {
    Row.Values base = rows.stream().map(Row::values).filter(v -> size.applyAsInt(v) == 1).findFirst().orElse(null);
    if (base == null) return;
    double t1 = throughput.applyAsDouble(base), l1 = latency.applyAsDouble(base);
    for (Row row : rows) {
      Row.Values v = row.values();
      int n = size.applyAsInt(v);
      double t = throughput.applyAsDouble(v), l = latency.applyAsDouble(v);
      if (t1 > 0 && t > 0 && n > 0) {
        row.put("speedup", round(t / t1));
        row.put("scaling_efficiency", round(t / t1 / n));
      }
      if (l1 > 0 && l > 0) row.put("latency_speedup", round(l1 / l));
    }
  }

  /** Figures below this share of the link's peak are {@code suspect}. */
  public static final double SUSPECT_FRACTION = 0.5;
  /** Only messages this large are judged (smaller ones measure latency, not the link). */
  public static final long JUDGED_BYTES = 64L << 20;

  /**
   * Marks bandwidth figures of one launch against its pre-flight's slowest NVLink peak ({@code min_link_peak_gb_s},
   * one direction): collectives by busbw, p2p transfers by bandwidth (both ways: against twice the peak). A figure at
   * {@value #JUDGED_BYTES} bytes or more under {@link #SUSPECT_FRACTION} of the peak is {@code suspect: true} (a
   * healthy NVLink gives 74–82 % at 1 GiB on 2 H200s; traffic forced through the host, P2P disabled or a congested
   * link gives far less). Smaller messages and launches without a known peak are not judged ({@code suspect} absent).
   */
  static void judgeAgainstLink(List<Row> records) {
    double peak = records.stream().map(Row::values).filter(v -> v.kind().equals("preflight"))
        .mapToDouble(Row.Values::minLinkPeakGbS).findFirst().orElse(0);
    if (peak <= 0) return;
    for (Row r : records) {
      Row.Values v = r.values();
      double figure, against;
      if (v.kind().equals("collective") && v.busbwGbS() != null) {
        figure = v.busbwGbS();
        against = peak;
      } else if (v.kind().equals("transfer") && v.method().equals("p2p")) {
        figure = v.bandwidthGbS() == null ? 0 : v.bandwidthGbS();
        against = v.direction().equals("both") ? 2 * peak : peak;
      } else {
        continue;
      }
      if (v.bytesOrZero() < JUDGED_BYTES) continue;
      r.put("link_peak_gb_s", against);
      r.put("peak_fraction", round(figure / against));
      r.put("suspect", figure < SUSPECT_FRACTION * against);
    }
  }

  /** Sentences from this run's measured records ({@link Recommendations}). */
  public List<String> recommendations() {
    Map<String, List<Row.Values>> kinds = new LinkedHashMap<>();
    for (Run r : runs) for (Row rec : r.records()) kinds.computeIfAbsent(rec.kind(), k -> new ArrayList<>()).add(rec.values());
    return Recommendations.of(kinds);
  }

  /** Rows marked suspect, over every launch. */
  public List<Row> suspects() {
    return runs.stream().flatMap(r -> r.records().stream()).filter(r -> r.values().isSuspect()).toList();
  }

  /** A record as results show it: {@code kind} plus the worker's data, with bandwidths for collectives. */
  static Row enrich(SuiteEvent.Record event) {
    ObjectNode json = Json.MAPPER.createObjectNode().put("kind", event.kind());
    if (event.data() instanceof ObjectNode d) json.setAll(d);
    Row row = new Row(event.kind(), json);
    Row.Values v = row.values();
    if (v.kind().equals("collective") && v.bytes() != null && v.timeNs() > 0) {
      Collective c = Collective.parse(v.operation());
      row.put("algbw_gb_s", round(Collective.algbwGbPerS(v.bytes(), v.timeNs())));
      row.put("bus_factor", round(c.busFactor(v.ranks())));
      row.put("busbw_gb_s", round(c.busbwGbPerS(v.bytes(), v.timeNs(), v.ranks())));
    }
    return row;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  public ObjectNode resultsJson() {
    ObjectNode root = Json.MAPPER.createObjectNode().put("experiment", experiment).put("ok", ok());
    root.putArray("recommendations").addAll(recommendations().stream().map(Json.MAPPER.getNodeFactory()::textNode).toList());
    ArrayNode out = root.putArray("runs");
    for (Run r : runs) {
      ObjectNode n = out.addObject().put("processes", r.processes()).put("status", r.status());
      n.put("failure", r.failure());
      if (r.start() != null) {
        n.put("experiment", r.start().experiment());
        n.put("world_size", r.start().worldSize());
        n.put("backend", r.start().backend());
        n.put("device", r.start().device());
        n.put("simulate", r.start().simulate());
        n.set("config", r.start().config());
      }
      n.putArray("records").addAll(r.records().stream().map(Row::json).toList());
    }
    return root;
  }

  /** Record kind → rows (with {@code processes} first), over every launch. */
  Map<String, List<ObjectNode>> byKind() {
    Map<String, List<ObjectNode>> kinds = new LinkedHashMap<>();
    for (Run r : runs) {
      for (Row rec : r.records()) {
        ObjectNode row = Json.MAPPER.createObjectNode().put("processes", r.processes());
        rec.json().fields().forEachRemaining(f -> {
          if (!f.getKey().equals("kind")) row.set(f.getKey(), f.getValue());
        });
        kinds.computeIfAbsent(rec.kind(), k -> new ArrayList<>()).add(row);
      }
    }
    return kinds;
  }

  /** Columns: every scalar field in order of first appearance. */
  static List<String> columns(List<ObjectNode> rows) {
    Set<String> cols = new LinkedHashSet<>();
    for (ObjectNode row : rows) {
      for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
        var f = it.next();
        if (f.getValue().isValueNode()) cols.add(f.getKey());
      }
    }
    return List.copyOf(cols);
  }

  /** CSV file name → content: one per record kind. */
  public Map<String, String> csvFiles() {
    Map<String, String> files = new LinkedHashMap<>();
    byKind().forEach((kind, rows) -> {
      List<String> cols = columns(rows);
      if (kind.equals("pipeline")) cols = leading(cols, "gpu_count", "total_time_sec", "per_sample_sec");
      StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
      for (ObjectNode row : rows) {
        List<String> cells = new ArrayList<>();
        for (String c : cols) cells.add(csvCell(row.get(c)));
        sb.append(String.join(",", cells)).append('\n');
      }
      files.put(kind.replace('-', '_') + ".csv", sb.toString());
    });
    return files;
  }

  private static List<String> leading(List<String> cols, String... first) {
    List<String> out = new ArrayList<>(List.of(first));
    for (String c : cols) if (!out.contains(c)) out.add(c);
    return out;
  }

  private static String csvCell(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return "N/A";
    if (v.isFloatingPointNumber()) return Figures.plain(v.asDouble());
    String s = v.asText();
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** report.md without charts. */
  public String markdown() {
    return markdown(new SuiteCharts(List.of(), List.of()));
  }

  private SuiteCharts charts;

  /** The charts of these records ({@link SuiteCharts#of}), drawn once: report.md and report.html show the same ones. */
  public synchronized SuiteCharts charts() {
    if (charts == null) charts = SuiteCharts.of(this);
    return charts;
  }

  /**
   * report.md: the status of each launch, recommendations, suspect figures, the charts (images in charts/ beside it,
   * which the caller writes), then one table per record kind.
   */
  public String markdown(SuiteCharts charts) {
    StringBuilder sb = new StringBuilder("# genbench suite: ").append(experiment).append("\n\n");
    sb.append("Status: ").append(!ok() ? "**NOT OK**" : checks() > 0 ? "every launch finished and every correctness check held"
        : "every launch finished (this experiment makes no correctness checks)").append("\n\n");
    if (unreadable != null) sb.append("**Warning:** ").append(unreadable).append(".\n\n");
    sb.append("| processes | status | backend | failure |\n|---|---|---|---|\n");
    for (Run r : runs) {
      sb.append("| ").append(r.processes()).append(" | ").append(r.status()).append(" | ")
          .append(r.start() == null ? "-" : r.start().backend()).append(" | ")
          .append(r.failure() == null ? "" : r.failure().replace("|", "\\|")).append(" |\n");
    }
    if (runs.stream().anyMatch(r -> r.start() != null && r.start().simulate())) {
      sb.append("\nSimulated: CPU processes with gloo and tiny sizes; the figures test the logic, not a GPU.\n");
    }
    List<String> advice = recommendations();
    if (!advice.isEmpty()) {
      sb.append("\n## Recommendations\n\n");
      if (runs.stream().anyMatch(r -> r.start() != null && r.start().simulate())) {
        sb.append("_From simulated figures: they show what the report would say, not what a GPU does._\n\n");
      }
      for (String a : advice) sb.append("* ").append(a).append('\n');
      sb.append("\nEach line rests on the figures it cites, measured in this run; nothing is recommended without one.\n");
    }
    List<Row> suspects = suspects();
    if (!suspects.isEmpty()) {
      sb.append("\n**Suspect interconnect:** ").append(suspects.size()).append(" figure(s) at ≥ 64 MiB under ")
          .append(Math.round(SUSPECT_FRACTION * 100)).append(" % of the link's peak (pre-flight), e.g. ")
          .append(suspectLine(suspects.get(0).values())).append(". Check P2P status and NCCL settings in the preflight table.\n");
    }
    if (!charts.drawn().isEmpty() || !charts.notes().isEmpty()) {
      sb.append("\n## Charts\n\n");
      for (var c : charts.drawn()) sb.append("![").append(c.title()).append("](").append(c.file()).append(")\n\n");
      for (String note : charts.notes()) sb.append("- ").append(note.replace("|", "\\|")).append('\n');
    }
    byKind().forEach((kind, rows) -> {
      List<String> cols = columns(rows);
      sb.append("\n## ").append(kind).append("\n\n| ").append(String.join(" | ", cols)).append(" |\n|")
          .append("---|".repeat(cols.size())).append('\n');
      for (ObjectNode row : rows) {
        sb.append("| ");
        for (String c : cols) sb.append(mdCell(row.get(c))).append(" | ");
        sb.setLength(sb.length() - 1);
        sb.append('\n');
      }
    });
    if (byKind().containsKey("collective")) {
      sb.append("\nalgbw = bytes / time; busbw = algbw × factor: all_reduce 2(n−1)/n, all_gather, reduce_scatter and"
          + " all_to_all (n−1)/n, broadcast and send_recv 1 (nccl-tests' definitions). time = median of the slowest rank.\n");
    }
    return sb.toString();
  }

  static String suspectLine(Row.Values r) {
    String what = r.kind().equals("collective") ? r.operation() + " busbw"
        : "p2p " + r.src() + "→" + r.dst() + " (" + r.direction() + " way)";
    double v = r.busbwGbS() != null ? r.busbwGbS() : r.bandwidthGbS() == null ? 0 : r.bandwidthGbS();
    return what + " " + mdNumber(v) + " GB/s at " + r.bytesOrZero() + " B vs a peak of "
        + mdNumber(r.linkPeakGbS() == null ? 0 : r.linkPeakGbS()) + " GB/s";
  }

  private static String mdCell(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return "N/A";
    if (v.isFloatingPointNumber()) return mdNumber(v.asDouble());
    if (v.isArray() || v.isObject()) return Figures.rounded(v).toString().replace("|", "\\|");
    return v.asText().replace("|", "\\|");
  }

  /** Four significant digits in plain notation (0.000229, 1328, 332.1): a table people read. */
  static String mdNumber(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) return "N/A";
    if (v == 0) return "0";
    java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros();
    return (d.scale() < 0 ? d.setScale(0) : d).toPlainString();
  }
}
