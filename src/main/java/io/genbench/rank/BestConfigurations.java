package io.genbench.rank;

import io.genbench.cost.Lifecycle;
import io.genbench.result.CaseResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The configurations of one run that meet every constraint, cheapest first, with the figures each choice rests on; then
 * the cases that missed a constraint (which, by how much) and those not considered (status, verdict, no price). What
 * {@code genbench best} prints.
 *
 * <p>Counted: SUCCESS cases whose verdict is VALID. A HOST-BOUND case is valid (it measures the host's launch rate, which
 * is what that configuration costs on that host) and counts, flagged. INVALID cases are excluded unless
 * {@code includeInvalid}, then counted and flagged INVALID. Image cases are ranked by cost per 1000 images, LLM cases
 * by cost per million tokens, apart: the two are not the same unit.
 *
 * @param run the run directory, as given
 * @param lifecycle whose price ranks: {@code spot} or {@code ondemand}
 * @param p95MsMax the e2e P95 constraint, ms, or null
 * @param maxMemoryGb the peak-memory constraint, GB (10⁹ bytes), or null
 * @param includeInvalid INVALID cases were counted (flagged)
 * @param images image cases that meet every constraint, cheapest first
 * @param tokens LLM cases that meet every constraint, cheapest first
 * @param missed cases that failed a constraint, each with every constraint it failed
 * @param excluded cases not considered, with why
 */
public record BestConfigurations(String run, String lifecycle, Double p95MsMax, Double maxMemoryGb, boolean includeInvalid,
    List<Pick> images, List<Pick> tokens, List<Miss> missed, List<Excluded> excluded) {

  /**
   * One configuration that meets every constraint.
   *
   * @param rank 1 for the cheapest of its kind
   * @param caseId the case id
   * @param costUsd cost per 1000 images (per million tokens) at the lifecycle's price
   * @param p95Ms e2e P95, ms
   * @param peakMemoryGb the case's peak memory, GB, or null when not measured
   * @param memoryKind what the memory figure is: {@code cuda-reserved} or {@code rss-delta}
   * @param timePerImageS mean e2e / images per request (image cases), or null
   * @param tokensPerS generated tokens per second (LLM cases), or null
   * @param flags HOST-BOUND, INVALID (with --include-invalid), priced elsewhere: empty when none
   */
  public record Pick(int rank, String caseId, BigDecimal costUsd, double p95Ms, Double peakMemoryGb, String memoryKind,
      Double timePerImageS, Double tokensPerS, List<String> flags) {}

  /** A case that failed one or more constraints: each reason names the constraint and by how much. */
  public record Miss(String caseId, List<String> reasons) {}

  /** A case not considered: its status, its verdict, or no figure to rank it by. */
  public record Excluded(String caseId, String reason) {}

  public static BestConfigurations of(String run, List<CaseResult> results, Double p95MsMax, Double maxMemoryGb, Lifecycle lifecycle,
      boolean includeInvalid) {
    List<Pick> images = new ArrayList<>();
    List<Pick> tokens = new ArrayList<>();
    List<Miss> missed = new ArrayList<>();
    List<Excluded> excluded = new ArrayList<>();
    for (CaseResult r : results) {
      if (r.outcome() instanceof CaseResult.Failed f) {
        excluded.add(new Excluded(r.caseId(), "status " + f.status()
            + (f.failure().message() == null ? "" : ": " + firstLine(f.failure().message()))));
        continue;
      }
      var overflow = io.genbench.report.MemoryFit.exceeded(r);
      if (overflow.isPresent()) { // measured, but the instance it is priced as could not hold it: no achievable cost
        excluded.add(new Excluded(r.caseId(), overflow.get().note()));
        continue;
      }
      List<String> flags = new ArrayList<>();
      if (r.verdict() == null || !r.verdict().valid()) {
        String why = r.verdict() == null || r.verdict().notes().isEmpty() ? "no verdict" : r.verdict().notes().getFirst();
        if (!includeInvalid) {
          excluded.add(new Excluded(r.caseId(), "INVALID: " + why));
          continue;
        }
        flags.add("INVALID");
      }
      if (r.verdict() != null && r.verdict().hostBound()) flags.add("HOST-BOUND");
      if (r.where() != null && r.where().pricedElsewhere()) flags.add("priced, not measured");
      var e2e = r.latency() == null ? null : r.latency().get("e2e");
      if (e2e == null) {
        excluded.add(new Excluded(r.caseId(), "no e2e latency"));
        continue;
      }
      BigDecimal cost = RunComparison.cost(r, lifecycle);
      if (cost == null) {
        excluded.add(new Excluded(r.caseId(), "no " + lifecycle.words() + " cost (no price for " + r.actualInstance() + ")"));
        continue;
      }
      double p95Ms = e2e.p95Ns() / 1e6;
      Double memGb = r.memory() == null ? null : r.memory().peakBytes() / 1e9;
      List<String> reasons = new ArrayList<>();
      if (p95MsMax != null && p95Ms > p95MsMax) {
        reasons.add(fmt("e2e P95 %.1f ms > %s ms, by %.1f ms (%.1f %%)", p95Ms, trim(p95MsMax), p95Ms - p95MsMax,
            100 * (p95Ms - p95MsMax) / p95MsMax));
      }
      if (maxMemoryGb != null && memGb == null) reasons.add("no peak memory measured, so the memory limit cannot be shown met");
      if (maxMemoryGb != null && memGb != null && memGb > maxMemoryGb) {
        reasons.add(fmt("peak memory %.2f GB (%s) > %s GB, by %.2f GB (%.1f %%)", memGb, memoryKind(r), trim(maxMemoryGb),
            memGb - maxMemoryGb, 100 * (memGb - maxMemoryGb) / maxMemoryGb));
      }
      if (!reasons.isEmpty()) {
        missed.add(new Miss(r.caseId(), reasons));
        continue;
      }
      String memoryKind = memGb == null ? null : memoryKind(r);
      switch (r.run().rates()) {
        case CaseResult.ImageRates i -> images.add(new Pick(0, r.caseId(), cost, p95Ms, memGb, memoryKind, i.timePerImageS(), null,
            List.copyOf(flags)));
        case CaseResult.TokenRates t -> tokens.add(new Pick(0, r.caseId(), cost, p95Ms, memGb, memoryKind, null, t.tokensPerS(),
            List.copyOf(flags)));
      }
    }
    return new BestConfigurations(run, lifecycle.label(), p95MsMax, maxMemoryGb, includeInvalid, ranked(images), ranked(tokens),
        missed, excluded);
  }

  /** Cheapest first; a tie goes to the lower P95, then the case id. */
  private static List<Pick> ranked(List<Pick> picks) {
    List<Pick> sorted = picks.stream().sorted(Comparator.comparing(Pick::costUsd).thenComparingDouble(Pick::p95Ms)
        .thenComparing(Pick::caseId)).toList();
    List<Pick> out = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      Pick p = sorted.get(i);
      out.add(new Pick(i + 1, p.caseId(), p.costUsd(), p.p95Ms(), p.peakMemoryGb(), p.memoryKind(), p.timePerImageS(),
          p.tokensPerS(), p.flags()));
    }
    return List.copyOf(out);
  }

  /** True when some configuration meets every constraint. */
  public boolean found() {
    return !images.isEmpty() || !tokens.isEmpty();
  }

  public String markdown() {
    StringBuilder s = new StringBuilder("# genbench best\n\nRun `").append(run).append("`. Constraints: ");
    List<String> constraints = new ArrayList<>();
    if (p95MsMax != null) constraints.add("e2e P95 ≤ " + trim(p95MsMax) + " ms");
    if (maxMemoryGb != null) constraints.add("peak memory ≤ " + trim(maxMemoryGb) + " GB (GPU reserved, or the CPU case's rss-delta)");
    s.append(constraints.isEmpty() ? "none" : String.join(", ", constraints)).append(". Ranked by ").append(label(lifecycle))
        .append(" cost per 1000 images; LLM cases by cost per million tokens, apart. Counted: SUCCESS cases with a VALID")
        .append(" verdict; HOST-BOUND cases count, flagged (their figures measure the host's kernel-launch rate); INVALID cases ")
        .append(includeInvalid ? "count too, flagged (--include-invalid)" : "are excluded (--include-invalid counts them, flagged)")
        .append(".\n\n");
    if (!found()) s.append("Nothing meets the constraints.\n");
    if (!images.isEmpty()) {
      s.append("## Images\n\n| rank | case | cost / 1000 images (").append(label(lifecycle))
          .append(") | e2e P95 | peak memory | s/image | flags |\n|---:|---|---:|---:|---:|---:|---|\n");
      for (Pick p : images) row(s, p, p.timePerImageS() == null ? "N/A" : fmt("%.3f", p.timePerImageS()));
      s.append("\n");
    }
    if (!tokens.isEmpty()) {
      s.append("## Tokens\n\n| rank | case | cost / 1M tokens (").append(label(lifecycle))
          .append(") | e2e P95 | peak memory | tokens/s | flags |\n|---:|---|---:|---:|---:|---:|---|\n");
      for (Pick p : tokens) row(s, p, p.tokensPerS() == null ? "N/A" : fmt("%.1f", p.tokensPerS()));
      s.append("\n");
    }
    if (!missed.isEmpty()) {
      s.append(found() ? "" : "\n").append("## Failed a constraint\n\n");
      for (Miss m : missed) s.append("- `").append(m.caseId()).append("`: ").append(String.join("; ", m.reasons())).append("\n");
      s.append("\n");
    }
    if (!excluded.isEmpty()) {
      s.append("## Excluded\n\n");
      for (Excluded e : excluded) s.append("- `").append(e.caseId()).append("`: ").append(e.reason()).append("\n");
    }
    return s.toString();
  }

  private static void row(StringBuilder s, Pick p, String rate) {
    s.append("| ").append(p.rank()).append(" | `").append(p.caseId()).append("` | ").append(p.costUsd().toPlainString())
        .append(" | ").append(fmt("%.1f ms", p.p95Ms())).append(" | ")
        .append(p.peakMemoryGb() == null ? "N/A" : fmt("%.2f GB (%s)", p.peakMemoryGb(), p.memoryKind())).append(" | ")
        .append(rate).append(" | ").append(String.join(", ", p.flags())).append(" |\n");
  }

  private static String memoryKind(CaseResult r) {
    if (r.memory().kind() != null) return r.memory().kind();
    return "cpu".equals(r.memory().device()) ? "rss-process-peak" : "cuda-reserved";
  }

  private static String firstLine(String message) {
    String line = message.lines().findFirst().orElse("");
    return line.length() > 160 ? line.substring(0, 157) + "..." : line;
  }

  private static String label(String lifecycle) {
    return Lifecycle.parse(lifecycle, "the ranking").words();
  }

  private static String trim(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
