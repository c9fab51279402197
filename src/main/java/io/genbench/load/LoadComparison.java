package io.genbench.load;

import io.genbench.UserError;
import io.genbench.analyze.QuantileRatio;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Two load runs, level by level ({@code genbench compare} of two load run directories): for every level both ran
 * (matched by level label, and by target number when either run loaded several targets; with one target each, the
 * targets are matched whatever their URLs), the ratio candidate / baseline of response time P50 / P95 / P99 (and of
 * TTFT and TPOT where both runs have them: token APIs), each with the bootstrap interval {@code genbench compare} draws
 * for case runs ({@link QuantileRatio}), from the raw per-request records in {@code requests.csv} (measured, successful
 * requests). Achieved rate and error rate are one figure per run ({@code levels.csv}): point values, no interval.
 *
 * @param baseline the baseline run directory, as given
 * @param candidate the candidate run directory
 * @param level the confidence level of every interval
 * @param seed seeds the resampling (every level and metric uses it)
 * @param resamples bootstrap replicates per figure
 * @param method how the intervals were drawn
 * @param failOnRegressionPct the {@code --fail-on-regression} threshold, %, or null
 * @param levels the compared levels, in the baseline's order
 * @param onlyInBaseline level keys the candidate lacks
 * @param onlyInCandidate level keys the baseline lacks
 * @param notCompared level keys both ran where a side had no successful measured request
 * @param regressions level keys with a response-time figure significantly slower by more than the threshold, or with
 *     successful requests in the baseline and none in the candidate (empty without a threshold)
 */
public record LoadComparison(String baseline, String candidate, double level, long seed, int resamples, String method,
    Double failOnRegressionPct, List<Level> levels, List<String> onlyInBaseline, List<String> onlyInCandidate,
    List<String> notCompared, List<String> regressions) {

  /** The quantiles compared for each latency metric. */
  static final double[] QUANTILES = {0.5, 0.95, 0.99};

  /**
   * One compared level.
   *
   * @param key the level label, prefixed by {@code T<n> } when a run loaded several targets
   * @param baselineUrl the baseline's target URL
   * @param candidateUrl the candidate's
   * @param baselineRequests the baseline's successful measured requests (the samples resampled)
   * @param candidateRequests the candidate's
   * @param figures the latency ratios with intervals
   * @param points achieved rate and error rate, one figure per run
   */
  public record Level(String key, String baselineUrl, String candidateUrl, int baselineRequests, int candidateRequests,
      List<Figure> figures, List<Point> points) {}

  /**
   * One latency quantile of a level, compared.
   *
   * @param metric {@code response}, {@code ttft} or {@code tpot}
   * @param quantile {@code p50}, {@code p95} or {@code p99}
   * @param baselineMs the baseline's quantile (nearest rank over its successful measured requests), ms
   * @param candidateMs the candidate's
   * @param ratio candidate / baseline: above 1 is slower
   * @param ciLow lower end of the interval of the ratio
   * @param ciHigh upper end
   * @param change faster, slower, or no significant difference (the interval includes 1)
   */
  public record Figure(String metric, String quantile, double baselineMs, double candidateMs, double ratio, double ciLow,
      double ciHigh, String change) {}

  /**
   * A figure a run has once per level (no interval).
   *
   * @param metric {@code achieved_rps} (successful requests / window) or {@code error_rate} (failed / measured, 0..1)
   * @param baseline the baseline's value, or null where it has none
   * @param candidate the candidate's
   * @param ratio candidate / baseline, or null where either is missing or the baseline is 0
   */
  public record Point(String metric, Double baseline, Double candidate, Double ratio) {}

  /** Whether {@code dir} is a load run directory (genbench load wrote it): it has load.yaml and requests.csv. */
  public static boolean isLoadRun(Path dir) {
    return Files.isRegularFile(dir.resolve("load.yaml")) && Files.isRegularFile(dir.resolve("requests.csv"));
  }

  /** Compares the load runs in {@code baseline} and {@code candidate}. */
  public static LoadComparison of(Path baseline, Path candidate, double level, long seed, int resamples, Double failOnRegressionPct) {
    Run base = Run.read(baseline, "baseline");
    Run cand = Run.read(candidate, "candidate");
    boolean byLabel = base.targets() == 1 && cand.targets() == 1;
    Map<String, LevelData> b = base.byKey(byLabel);
    Map<String, LevelData> c = cand.byKey(byLabel);
    List<Level> levels = new ArrayList<>();
    List<String> notCompared = new ArrayList<>();
    List<String> regressions = new ArrayList<>();
    String method = null;
    for (Map.Entry<String, LevelData> e : b.entrySet()) {
      LevelData bl = e.getValue();
      LevelData cl = c.get(e.getKey());
      if (cl == null) continue;
      if (bl.ok.isEmpty() || cl.ok.isEmpty()) {
        notCompared.add(e.getKey());
        if (failOnRegressionPct != null && !bl.ok.isEmpty()) regressions.add(e.getKey());
        continue;
      }
      List<Figure> figures = new ArrayList<>();
      boolean regressed = false;
      for (String metric : base.tokens() && cand.tokens() ? List.of("response", "ttft", "tpot") : List.of("response")) {
        long[] bs = bl.values(metric);
        long[] cs = cl.values(metric);
        if (bs.length == 0 || cs.length == 0) continue;
        List<QuantileRatio> ratios = QuantileRatio.of(List.of(bs), List.of(cs), QUANTILES, level, seed, resamples);
        for (QuantileRatio r : ratios) {
          figures.add(new Figure(metric, "p" + Math.round(r.quantile() * 100), r.baselineNs() / 1e6, r.candidateNs() / 1e6,
              r.ratio(), r.ciLow(), r.ciHigh(), r.change(0).label()));
          if (metric.equals("response") && failOnRegressionPct != null && r.slowerBeyond(failOnRegressionPct)) regressed = true;
          method = r.method("quantiles (nearest rank)");
        }
      }
      if (regressed) regressions.add(e.getKey());
      levels.add(new Level(e.getKey(), bl.url, cl.url, bl.ok.size(), cl.ok.size(), figures,
          List.of(point("achieved_rps", bl.achievedRps, cl.achievedRps), point("error_rate", bl.errorRate, cl.errorRate))));
    }
    if (levels.isEmpty() && notCompared.isEmpty()) {
      throw new UserError("no load level of " + baseline + " matches one of " + candidate + " by "
          + (byLabel ? "label" : "target and label (the runs loaded several targets)") + " (baseline: " + keys(b) + "; candidate: "
          + keys(c) + ")");
    }
    List<String> onlyInBaseline = b.keySet().stream().filter(k -> !c.containsKey(k)).toList();
    List<String> onlyInCandidate = c.keySet().stream().filter(k -> !b.containsKey(k)).toList();
    return new LoadComparison(baseline.toString(), candidate.toString(), level, seed, resamples, method, failOnRegressionPct,
        levels, onlyInBaseline, onlyInCandidate, notCompared, regressions);
  }

  private static Point point(String metric, Double b, Double c) {
    return new Point(metric, b, c, b == null || c == null || b == 0 ? null : c / b);
  }

  private static String keys(Map<String, LevelData> levels) {
    if (levels.isEmpty()) return "no level";
    List<String> k = new ArrayList<>(levels.keySet());
    return k.size() <= 5 ? String.join(", ", k) : String.join(", ", k.subList(0, 5)) + " and " + (k.size() - 5) + " more";
  }

  /** The comparison as Markdown: what was done, one row per compared figure, the rates, then what was not compared. */
  public String markdown() {
    StringBuilder s = new StringBuilder("# genbench compare (load runs)\n\n");
    s.append("Baseline `").append(baseline).append("`, candidate `").append(candidate).append("`.\n\n");
    String pct = trim(100 * level) + " %";
    s.append("Per load level: ratio = candidate / baseline of response time (done - scheduled), and of TTFT and TPOT where")
        .append(" both runs have them, at P50 / P95 / P99 over the successful measured requests (above 1 is slower), with its ")
        .append(pct).append(" confidence interval: ").append(method == null ? "none drawn" : method).append(", seed ").append(seed)
        .append(". A figure is faster or slower when the interval excludes 1, else no significant difference. Achieved rate")
        .append(" and error rate are one figure per run (levels.csv): point values, no interval.\n\n");
    if (levels.isEmpty()) {
      s.append("No level had successful requests in both runs.\n");
    } else {
      s.append("| level | figure | baseline | candidate | ratio | ").append(pct).append(" CI | verdict |\n");
      s.append("|---|---|---:|---:|---:|---:|---|\n");
      for (Level l : levels) {
        for (Figure f : l.figures()) {
          s.append("| `").append(l.key()).append("` | ").append(f.metric()).append(' ').append(f.quantile()).append(" | ")
              .append(fmt("%.2f ms", f.baselineMs())).append(" | ").append(fmt("%.2f ms", f.candidateMs())).append(" | ")
              .append(fmt("%.3f", f.ratio())).append(" | ").append(fmt("%.3f", f.ciLow())).append("–").append(fmt("%.3f", f.ciHigh()))
              .append(" | ").append(f.change()).append(f.metric().equals("response") && failOnRegressionPct != null && f.ciLow() > 1 + failOnRegressionPct / 100
                  ? " (regression)" : "")
              .append(" |\n");
        }
      }
      s.append("\n| level | requests (baseline / candidate) | achieved req/s (baseline / candidate) | ratio | error rate (baseline / candidate) |\n");
      s.append("|---|---:|---:|---:|---:|\n");
      for (Level l : levels) {
        Point a = l.points().get(0);
        Point e = l.points().get(1);
        s.append("| `").append(l.key()).append("` | ").append(l.baselineRequests()).append(" / ").append(l.candidateRequests())
            .append(" | ").append(num(a.baseline(), "%.3f")).append(" / ").append(num(a.candidate(), "%.3f")).append(" | ")
            .append(num(a.ratio(), "%.3f")).append(" | ").append(percent(e.baseline())).append(" / ").append(percent(e.candidate()))
            .append(" |\n");
      }
    }
    if (!onlyInBaseline.isEmpty()) s.append("\nOnly in the baseline: ").append(ids(onlyInBaseline)).append(".\n");
    if (!onlyInCandidate.isEmpty()) s.append("\nOnly in the candidate: ").append(ids(onlyInCandidate)).append(".\n");
    if (!notCompared.isEmpty()) {
      s.append("\nNot compared (no successful measured request on one side): ").append(ids(notCompared)).append(".\n");
    }
    if (failOnRegressionPct != null) {
      s.append("\n").append(regressions.isEmpty()
          ? fmt("No regression beyond %s %%.", trim(failOnRegressionPct))
          : fmt("Regressions beyond %s %% (a response-time interval's lower end above %s, or successful requests only in the"
              + " baseline): ", trim(failOnRegressionPct), fmt("%.3f", 1 + failOnRegressionPct / 100)) + ids(regressions) + ".")
          .append("\n");
    }
    return s.toString();
  }

  private static String ids(List<String> ids) {
    return ids.stream().map(id -> "`" + id + "`").collect(Collectors.joining(", "));
  }

  private static String num(Double v, String format) {
    return v == null ? "N/A" : fmt(format, v);
  }

  private static String percent(Double v) {
    return v == null ? "N/A" : fmt("%.2f %%", 100 * v);
  }

  private static String trim(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** One level of one run as read back from its files. */
  private static final class LevelData {
    final int target;
    final String label;
    String url;
    Double achievedRps;
    Double errorRate;
    final List<long[]> ok = new ArrayList<>(); // {response, ttft, tpot} ns per successful measured request (-1: none)

    LevelData(int target, String label) {
      this.target = target;
      this.label = label;
    }

    long[] values(String metric) {
      int i = switch (metric) {
        case "response" -> 0;
        case "ttft" -> 1;
        case "tpot" -> 2;
        default -> throw new IllegalArgumentException(metric);
      };
      ToLongFunction<long[]> pick = r -> r[i];
      return ok.stream().mapToLong(pick).filter(v -> v >= 0).toArray();
    }
  }

  /** A load run directory read back: its levels, in levels.csv order, with their raw records. */
  private record Run(Path dir, boolean tokens, Map<String, LevelData> levels) {
    int targets() {
      return (int) levels.values().stream().mapToInt(l -> l.target).distinct().count();
    }

    Map<String, LevelData> byKey(boolean byLabel) {
      Map<String, LevelData> out = new LinkedHashMap<>();
      for (LevelData l : levels.values()) out.putIfAbsent(byLabel ? l.label : "T" + l.target + " " + l.label, l);
      return out;
    }

    static Run read(Path dir, String which) {
      Map<String, LevelData> levels = new LinkedHashMap<>();
      List<Map<String, String>> rows = rows(dir.resolve("levels.csv"), which);
      for (Map<String, String> r : rows) {
        LevelData l = levels.computeIfAbsent(r.get("target") + "\n" + r.get("level"),
            k -> new LevelData(integer(r, "target", dir), r.get("level")));
        l.url = r.get("url");
        l.achievedRps = real(r.get("achieved_rps"));
        l.errorRate = real(r.get("error_rate"));
      }
      for (Map<String, String> r : rows(dir.resolve("requests.csv"), which)) {
        if (Boolean.parseBoolean(r.get("warmup")) || !r.getOrDefault("error", "").isEmpty()) continue;
        LevelData l = levels.computeIfAbsent(r.get("target") + "\n" + r.get("level"),
            k -> new LevelData(integer(r, "target", dir), r.get("level")));
        l.ok.add(new long[] {whole(r.get("response_ns")), whole(r.get("ttft_ns")), whole(r.get("tpot_ns"))});
      }
      return new Run(dir, LoadPlan.read(dir.resolve("load.yaml")).parsedApi().tokens(), levels);
    }

    private static int integer(Map<String, String> row, String column, Path dir) {
      try {
        return Integer.parseInt(row.get(column));
      } catch (NumberFormatException e) {
        throw new UserError("Bad " + column + " '" + row.get(column) + "' in " + dir + ": not a load run directory genbench load wrote.");
      }
    }

    private static long whole(String v) {
      return v == null || v.isEmpty() ? -1 : Long.parseLong(v);
    }

    private static Double real(String v) {
      return v == null || v.isEmpty() ? null : Double.valueOf(v);
    }
  }

  /** A CSV file genbench load wrote, as rows by header name; quoted cells may hold commas, quotes and newlines. */
  static List<Map<String, String>> rows(Path file, String which) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError("Cannot read the " + which + "'s " + file.getFileName() + " (" + file + "): " + e.getMessage());
    }
    List<List<String>> lines = new ArrayList<>();
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else if (ch == '\n') {
        cells.add(cell.toString());
        cell.setLength(0);
        lines.add(cells);
        cells = new ArrayList<>();
      } else if (ch != '\r') {
        cell.append(ch);
      }
    }
    if (!cell.isEmpty() || !cells.isEmpty()) {
      cells.add(cell.toString());
      lines.add(cells);
    }
    if (lines.isEmpty()) throw new UserError("The " + which + "'s " + file + " is empty: not a load run genbench load finished.");
    List<String> header = lines.getFirst();
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < line.size(); i++) row.put(header.get(i), line.get(i));
      rows.add(row);
    }
    return rows;
  }
}
