package io.genbench.report;

import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The answer first: the lines that open report.md and report.html (its Summary) and close the console summary. Statuses
 * and verdicts with their reasons, the cheapest and the fastest valid configuration (picked as {@code genbench best}
 * picks: INVALID cases and cases that do not fit are left out), what does not fit, what was skipped, whether the run
 * is incomplete, and what to do next (the remedies the verdicts name).
 */
final class Overview {
  /** Case ids named in one reason line, at most; the rest are counted. */
  static final int MAX_IDS = 3;
  /** The last clause of a verdict note is a remedy when it tells the reader to change something. */
  private static final Pattern REMEDY = Pattern.compile("(?i)\\b(raise|lower|quiet|use|give|set|run)\\b|--[a-z]");

  /**
   * How a line writes what it quotes: a case id and a free text (an instance type, a worker's message). report.md
   * escapes both ({@link MarkdownReport#code}, {@link MarkdownReport#text}); the console prints them as they are.
   */
  record Style(UnaryOperator<String> id, UnaryOperator<String> text) {
    static final Style MARKDOWN = new Style(MarkdownReport::code, MarkdownReport::text);
    static final Style PLAIN = new Style(s -> s, s -> s);
  }

  private Overview() {}

  /** E.g. {@code 8 cases: 7 SUCCESS, 1 UNSUPPORTED}: every status that occurs, in its declared order. */
  static String statuses(List<CaseResult> results) {
    Map<CaseStatus, Long> byStatus = new EnumMap<>(CaseStatus.class);
    results.stream().filter(r -> r.status() != null).forEach(r -> byStatus.merge(r.status(), 1L, Long::sum));
    String detail = byStatus.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name()).collect(Collectors.joining(", "));
    return results.size() + (results.size() == 1 ? " case" : " cases") + (detail.isEmpty() ? "" : ": " + detail);
  }

  /** E.g. {@code 6 VALID, 2 INVALID}: the verdicts of the successful cases; empty when none was judged. */
  static String verdicts(List<CaseResult> results) {
    Map<String, Long> verdicts = new LinkedHashMap<>();
    for (String label : List.of("VALID", "HOST-BOUND", "INVALID")) {
      long n = results.stream().filter(r -> r.verdict() != null && r.verdict().label().equals(label)).count();
      if (n > 0) verdicts.put(label, n);
    }
    return verdicts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  /**
   * One line per rule that kept successful cases from a plain VALID (the part of a verdict note before its first
   * colon: {@code e2e unstable}, {@code host-bound}): its label, which cases (all of them, or the first
   * {@link #MAX_IDS} and a count), and the note itself when every one of those cases has the same, e.g.
   * {@code INVALID, all 8 successful cases: only 3 measured iterations: …; raise min_iterations to 5 or more}; where
   * the figures differ from case to case, the rule and where each case's note is.
   */
  static List<String> reasons(List<CaseResult> results, Style style) {
    List<CaseResult> judged = results.stream().filter(r -> r.outcome() instanceof CaseResult.Measured m && m.verdict() != null).toList();
    Map<List<String>, List<String>> ids = new LinkedHashMap<>();
    Map<List<String>, java.util.Set<String>> notes = new LinkedHashMap<>();
    for (CaseResult r : judged) {
      if (r.verdict().label().equals("VALID")) continue;
      for (String note : r.verdict().notes()) {
        // a host-bound note is a condition, not what made a case INVALID
        String label = !r.verdict().valid() && !(r.verdict().hostBound() && note.startsWith("host-bound")) ? "INVALID" : "HOST-BOUND";
        List<String> key = List.of(label, rule(note));
        ids.computeIfAbsent(key, k -> new ArrayList<>()).add(r.caseId());
        notes.computeIfAbsent(key, k -> new java.util.LinkedHashSet<>()).add(note);
      }
    }
    List<String> lines = new ArrayList<>();
    ids.forEach((key, cases) -> {
      java.util.Set<String> said = notes.get(key);
      String why = said.size() == 1 ? said.iterator().next() : key.get(1) + " (each case's figures under Validity)";
      lines.add(key.get(0) + ", " + which(cases, judged.size(), style) + ": " + style.text().apply(why));
    });
    return lines;
  }

  /** The rule a verdict note reports: its text before the first colon ({@code e2e unstable}), or all of it. */
  private static String rule(String note) {
    int colon = note.indexOf(':');
    return colon < 0 ? note : note.substring(0, colon);
  }

  private static String which(List<String> ids, int judged, Style style) {
    if (ids.size() == judged && judged > 1) return "all " + judged + " successful cases";
    String named = ids.stream().limit(MAX_IDS).map(style.id()).collect(Collectors.joining(", "));
    return (ids.size() == 1 ? "1 case (" : ids.size() + " cases (") + named
        + (ids.size() > MAX_IDS ? " and " + (ids.size() - MAX_IDS) + " more" : "") + ")";
  }

  /** The cheapest valid configuration at the spot price, or why there is none. */
  static String cheapest(CostAnalysis a, Style style) {
    return a.lowestSpot().map(r -> style.id().apply(r.caseId()) + ", " + MarkdownReport.usd(CostAnalysis.spot(r))
        + " per 1000 images on " + style.text().apply(MarkdownReport.instance(r, "spot")) + ", "
        + Figures.seconds(r.timePerImageS()) + " s/image").orElseGet(() -> none(a, "has a spot price"));
  }

  /** The fastest valid configuration (lowest time per image), or why there is none. */
  static String fastest(CostAnalysis a, Style style) {
    return a.fastest().map(r -> style.id().apply(r.caseId()) + ", " + Figures.seconds(r.timePerImageS()) + " s/image, "
        + MarkdownReport.usd(CostAnalysis.spot(r)) + " per 1000 images on " + style.text().apply(MarkdownReport.instance(r, "spot")))
        .orElseGet(() -> none(a, "produced images"));
  }

  private static String none(CostAnalysis a, String what) {
    if (a.successes() == 0) return "none (no case succeeded)";
    if (a.invalid() == a.successes()) {
      return "none: no successful case is VALID, and INVALID ones are left out as genbench best leaves them out"
          + " (genbench best --include-invalid ranks them, flagged)";
    }
    return "none (no valid successful case that fits its instance " + what + ")";
  }

  /**
   * What to do next, one line each: the remedies the verdicts name (with how many cases need each), finishing an
   * incomplete run, reading the failures, the cases that do not fit; empty when there is nothing to do.
   */
  static List<String> next(RunReport report) {
    Map<String, Integer> remedies = new LinkedHashMap<>();
    for (CaseResult r : report.successes()) {
      if (r.verdict() == null || r.verdict().label().equals("VALID")) continue;
      r.verdict().notes().stream().map(Overview::remedy).filter(x -> x != null).distinct().forEach(x -> remedies.merge(x, 1, Integer::sum));
    }
    List<String> lines = new ArrayList<>();
    remedies.forEach((remedy, n) -> lines.add(remedy + " (" + n + (n == 1 ? " case)" : " cases)")));
    // a verdict whose notes name no remedy still needs a look: without this line the summary said "nothing to fix"
    long unremedied = report.successes().stream().filter(r -> r.verdict() != null && !r.verdict().label().equals("VALID"))
        .filter(r -> r.verdict().notes().stream().map(Overview::remedy).allMatch(x -> x == null)).count();
    if (unremedied > 0) {
      lines.add("see why " + unremedied + (unremedied == 1 ? " case is" : " cases are") + " not VALID: the reasons are above,"
          + " each case's figures under Validity");
    }
    int unfinished = report.unfinished().size();
    if (unfinished > 0) {
      lines.add("finish the run: genbench run --resume RUN_DIR (" + unfinished + (unfinished == 1 ? " case has" : " cases have") + " no result)");
    }
    long failed = report.results().stream().filter(r -> r.status() != null && r.status().isFailure()).count();
    if (failed > 0) lines.add("read why " + failed + (failed == 1 ? " case" : " cases") + " failed: the message and log tail are in"
        + " report.md under Failures and out-of-memory cells");
    long overflow = report.results().stream().filter(r -> !MemoryFit.fits(r)).count();
    if (overflow > 0) {
      lines.add("run or price the " + (overflow == 1 ? "case that does" : overflow + " cases that do") + " not fit on an"
          + " instance type with more memory, or lower the batch size");
    }
    return lines;
  }

  /** The note's last clause when it says what to change ("raise min_iterations to 5 or more"), else null. */
  static String remedy(String note) {
    int at = note.lastIndexOf("; ");
    if (at < 0) return null;
    String last = note.substring(at + 2).strip();
    return REMEDY.matcher(last).find() ? last : null;
  }
}
