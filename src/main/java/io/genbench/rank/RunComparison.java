package io.genbench.rank;

import io.genbench.analyze.MedianRatio;
import io.genbench.cost.Lifecycle;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.result.Workload;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Two runs, case by case: for every case id both ran successfully, the ratio of median e2e (candidate / baseline) with a
 * bootstrap interval from the raw samples, and point ratios of cost and peak memory (one figure per run: no interval).
 * What {@code genbench compare} prints, as Markdown or JSON.
 *
 * @param baseline the baseline run directory, as given
 * @param candidate the candidate run directory
 * @param level the confidence level of every interval
 * @param seed seeds the resampling (every case uses it: one seed, one report)
 * @param resamples bootstrap replicates per case
 * @param lifecycle whose price the cost ratio compares ({@code spot} or {@code ondemand}), the same on both sides
 * @param failOnRegressionPct the {@code --fail-on-regression} threshold, %, or null
 * @param cases the compared cases, in the baseline's order
 * @param onlyInBaseline finished case ids the candidate lacks
 * @param onlyInCandidate finished case ids the baseline lacks
 * @param notCompared matched cases that did not succeed on both sides
 * @param regressions case ids that fail the threshold: significantly slower by more than it, or successful in the baseline
 *     and not in the candidate (empty without a threshold)
 */
public record RunComparison(String baseline, String candidate, double level, long seed, int resamples, String lifecycle,
    Double failOnRegressionPct, List<Case> cases, List<String> onlyInBaseline, List<String> onlyInCandidate,
    List<NotCompared> notCompared, List<String> regressions) {

  /**
   * One compared case.
   *
   * @param caseId the case id
   * @param workload {@code images} or {@code tokens}: what the cost is per
   * @param baselineMedianMs the baseline's median e2e over every sample, ms
   * @param candidateMedianMs the candidate's
   * @param ratio candidate / baseline median: above 1 is slower
   * @param ciLow lower end of the interval of the ratio
   * @param ciHigh upper end
   * @param change faster, slower, or no significant difference (the interval includes 1)
   * @param method how the interval was drawn
   * @param baselineCostUsd the baseline's cost per 1000 images (per million tokens), or null
   * @param candidateCostUsd the candidate's
   * @param costRatio candidate / baseline cost, or null where either has none
   * @param baselinePeakMemoryBytes the baseline's peak memory, or null
   * @param candidatePeakMemoryBytes the candidate's
   * @param memoryRatio candidate / baseline peak memory, or null
   * @param noisePct the width both runs held their median to ({@code target_ci_pct}, the larger of the two), %: a
   *     change whose interval does not lie wholly beyond it is no significant difference; null (and absent from JSON)
   *     for runs measured before it was recorded
   */
  public record Case(String caseId, String workload, double baselineMedianMs, double candidateMedianMs, double ratio, double ciLow,
      double ciHigh, String change, String method, BigDecimal baselineCostUsd, BigDecimal candidateCostUsd, Double costRatio,
      Long baselinePeakMemoryBytes, Long candidatePeakMemoryBytes, Double memoryRatio,
      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Double noisePct) {}

  /** A case both runs finished that is not compared: it did not succeed on both sides, or has no samples. */
  public record NotCompared(String caseId, String baselineStatus, String candidateStatus, String reason) {}

  /** A run to compare: its finished results and a way to read a case's raw e2e samples per trial. */
  public record Side(String name, List<CaseResult> results, Function<String, List<long[]>> e2eByTrial) {}

  public static RunComparison of(Side baseline, Side candidate, double level, long seed, int resamples, Lifecycle lifecycle,
      Double failOnRegressionPct) {
    Map<String, CaseResult> cand = candidate.results().stream()
        .collect(Collectors.toMap(CaseResult::caseId, r -> r, (a, b) -> a, LinkedHashMap::new));
    Set<String> baseIds = baseline.results().stream().map(CaseResult::caseId).collect(Collectors.toSet());
    List<Case> cases = new ArrayList<>();
    List<NotCompared> notCompared = new ArrayList<>();
    List<String> onlyInBaseline = new ArrayList<>();
    List<String> regressions = new ArrayList<>();
    for (CaseResult b : baseline.results()) {
      CaseResult c = cand.get(b.caseId());
      if (c == null) {
        onlyInBaseline.add(b.caseId());
        continue;
      }
      if (b.status() != CaseStatus.SUCCESS || c.status() != CaseStatus.SUCCESS) {
        notCompared.add(new NotCompared(b.caseId(), b.status().name(), c.status().name(),
            "not SUCCESS in the " + (b.status() != CaseStatus.SUCCESS ? "baseline" : "candidate")));
        if (failOnRegressionPct != null && b.status() == CaseStatus.SUCCESS) regressions.add(b.caseId());
        continue;
      }
      List<long[]> bs = baseline.e2eByTrial().apply(b.caseId());
      List<long[]> cs = candidate.e2eByTrial().apply(c.caseId());
      if (bs.stream().allMatch(t -> t.length == 0) || cs.stream().allMatch(t -> t.length == 0)) {
        notCompared.add(new NotCompared(b.caseId(), b.status().name(), c.status().name(),
            "no measured samples in the " + (bs.stream().allMatch(t -> t.length == 0) ? "baseline" : "candidate") + "'s events"));
        continue;
      }
      MedianRatio r = MedianRatio.of(bs, cs, level, seed, resamples);
      Double noise = noisePct(b, c);
      BigDecimal bc = cost(b, lifecycle);
      BigDecimal cc = cost(c, lifecycle);
      Long bm = b.memory() == null ? null : b.memory().peakBytes();
      Long cm = c.memory() == null ? null : c.memory().peakBytes();
      cases.add(new Case(b.caseId(), b.workload() instanceof Workload.Llm ? "tokens" : "images", r.baselineMedianNs() / 1e6,
          r.candidateMedianNs() / 1e6, r.ratio(), r.ciLow(), r.ciHigh(), r.change(noise == null ? 0 : noise).label(), r.method(), bc, cc,
          bc == null || cc == null || bc.signum() == 0 ? null : cc.doubleValue() / bc.doubleValue(), bm, cm,
          bm == null || cm == null || bm == 0 ? null : (double) cm / bm, noise));
      if (failOnRegressionPct != null && r.slowerBeyond(failOnRegressionPct)) regressions.add(b.caseId());
    }
    List<String> onlyInCandidate = cand.keySet().stream().filter(id -> !baseIds.contains(id)).toList();
    return new RunComparison(baseline.name(), candidate.name(), level, seed, resamples, lifecycle.label(), failOnRegressionPct,
        cases, onlyInBaseline, onlyInCandidate, notCompared, regressions);
  }

  /** The larger of the two runs' target widths for the median, %, or null when either was measured without one. */
  static Double noisePct(CaseResult b, CaseResult c) {
    if (b.verdict() == null || c.verdict() == null || b.verdict().median() == null || c.verdict().median() == null) return null;
    return Math.max(b.verdict().median().targetPct(), c.verdict().median().targetPct());
  }

  /** Cost per 1000 images (diffusion) or per million tokens (LLM) at the lifecycle's price, or null. */
  static BigDecimal cost(CaseResult r, Lifecycle lifecycle) {
    boolean spot = lifecycle == Lifecycle.SPOT;
    return switch (r.cost()) {
      case null -> null;
      case CaseResult.ImageCost i -> spot ? i.cost1000ImagesSpotUsd() : i.cost1000ImagesOndemandUsd();
      case CaseResult.TokenCost t -> spot ? t.cost1MTokensSpotUsd() : t.cost1MTokensOndemandUsd();
    };
  }

  /** The comparison as Markdown: what was done, one table row per compared case, then what was not compared. */
  public String markdown() {
    StringBuilder s = new StringBuilder("# genbench compare\n\n");
    s.append("Baseline `").append(baseline).append("`, candidate `").append(candidate).append("`.\n\n");
    String pct = pct(level);
    s.append("Ratio = candidate / baseline median e2e (above 1 is slower), with its ").append(pct)
        .append(" confidence interval: ").append(methods()).append(", seed ").append(seed).append(". A case is faster or slower")
        .append(" when the interval excludes 1").append(noiseSentence()).append(", else no significant difference. Cost (").append(label(lifecycle))
        .append(", per 1000 images or per million tokens) and peak memory are point ratios of one figure per run, no interval.\n\n");
    if (cases.isEmpty()) {
      s.append("No case succeeded in both runs.\n");
    } else {
      s.append("| case | baseline median | candidate median | ratio | ").append(pct).append(" CI | verdict | cost ratio | memory ratio |\n");
      s.append("|---|---:|---:|---:|---:|---|---:|---:|\n");
      for (Case c : cases) {
        s.append("| `").append(c.caseId()).append("` | ").append(fmt("%.1f ms", c.baselineMedianMs())).append(" | ")
            .append(fmt("%.1f ms", c.candidateMedianMs())).append(" | ").append(fmt("%.3f", c.ratio())).append(" | ")
            .append(fmt("%.3f", c.ciLow())).append("–").append(fmt("%.3f", c.ciHigh())).append(" | ").append(c.change())
            .append(regressions.contains(c.caseId()) ? " (regression)" : "").append(" | ")
            .append(c.costRatio() == null ? "N/A" : fmt("%.3f", c.costRatio())).append(" | ")
            .append(c.memoryRatio() == null ? "N/A" : fmt("%.3f", c.memoryRatio())).append(" |\n");
      }
    }
    if (!onlyInBaseline.isEmpty()) s.append("\nOnly in the baseline: ").append(ids(onlyInBaseline)).append(".\n");
    if (!onlyInCandidate.isEmpty()) s.append("\nOnly in the candidate: ").append(ids(onlyInCandidate)).append(".\n");
    if (!notCompared.isEmpty()) {
      s.append("\nNot compared:\n");
      for (NotCompared n : notCompared) {
        s.append("- `").append(n.caseId()).append("`: ").append(n.reason()).append(" (baseline ").append(n.baselineStatus())
            .append(", candidate ").append(n.candidateStatus()).append(")\n");
      }
    }
    if (failOnRegressionPct != null) {
      s.append("\n").append(regressions.isEmpty()
          ? fmt("No regression beyond %s %%.", trim(failOnRegressionPct))
          : fmt("Regressions beyond %s %% (the interval's lower end above %s, or SUCCESS only in the baseline): ",
              trim(failOnRegressionPct), fmt("%.3f", 1 + failOnRegressionPct / 100)) + ids(regressions) + ".").append("\n");
    }
    return s.toString();
  }

  /** Where cases carry a noise threshold: how it enters the verdict; else nothing (older runs read as before). */
  private String noiseSentence() {
    var noises = cases.stream().map(Case::noisePct).filter(java.util.Objects::nonNull).distinct().toList();
    if (noises.isEmpty()) return "";
    String pct = noises.stream().map(RunComparison::trim).collect(Collectors.joining(" or ±"));
    return " and lies wholly beyond ±" + pct + " % of 1 (each run held its median to that width, target_ci_pct: a smaller"
        + " change is below what they resolve)";
  }

  private String methods() {
    return cases.stream().map(Case::method).distinct().collect(Collectors.joining("; where a case had trials, "));
  }

  private static String ids(List<String> ids) {
    return ids.stream().map(id -> "`" + id + "`").collect(Collectors.joining(", "));
  }

  private static String label(String lifecycle) {
    return Lifecycle.parse(lifecycle, "the comparison").words();
  }

  static String pct(double level) {
    return trim(100 * level) + " %";
  }

  static String trim(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
