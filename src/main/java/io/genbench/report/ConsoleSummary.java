package io.genbench.report;

import static io.genbench.report.Figures.NA;

import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.result.Workload;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The short plain-text table printed at the end of {@code genbench run}: one line per case (case, status, seconds per
 * image, images per second — tokens per second for LLM cases — and the spot cost of 1000 images), then
 * {@code lowest spot cost: …}, {@code fastest: …} and the number of cases by status.
 */
public final class ConsoleSummary {
  private static final List<String> HEADER = List.of("case", "status", "s/image", "images/s", "$/1000 images spot");

  private ConsoleSummary() {}

  public static String render(RunReport report) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (CaseResult r : report.results()) {
      rows.add(List.of(io.genbench.Printable.text(r.caseId()), r.status() == null ? NA : r.status().name(), Figures.seconds(r.timePerImageS()),
          switch (r.workload()) {
            case Workload.Diffusion d -> Figures.fixed(r.imagesPerS(), 3);
            case Workload.Llm l -> r.tokensPerS() == null ? NA : Figures.fixed(r.tokensPerS(), 1) + " tok/s";
          },
          Figures.money(CostAnalysis.spot(r))));
    }
    for (RunReport.Unfinished u : report.unfinished()) {
      rows.add(List.of(u.caseId(), u.state().toUpperCase(java.util.Locale.ROOT).replace(' ', '_'), NA, NA, NA));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) widths[i] = Math.max(widths[i], row.get(i).length());
    }
    StringBuilder out = new StringBuilder();
    String skipped = MarkdownReport.skippedNote(report.results());
    if (skipped != null) out.append(skipped).append("\n\n");
    String overflow = MemoryFit.summary(report.results());
    if (overflow != null) out.append(overflow).append("\n\n");
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        String pad = " ".repeat(widths[i] - cell.length());
        if (i > 0) line.append("  ");
        line.append(i < 2 ? cell + pad : pad + cell);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    out.append('\n');
    CostAnalysis a = CostAnalysis.of(report.results());
    String elsewhere = MarkdownReport.pricedElsewhereNote(report.results());
    if (elsewhere != null) out.append(elsewhere).append('\n');
    String standIn = MarkdownReport.standInNote(report);
    if (standIn != null) out.append(standIn).append('\n');
    out.append("lowest spot cost: ").append(a.lowestSpot().map(r -> r.caseId() + ", "
        + MarkdownReport.usd(CostAnalysis.spot(r)) + " per 1000 images on " + MarkdownReport.instance(r) + ", "
        + Figures.seconds(r.timePerImageS()) + " s/image").orElse(NA)).append('\n');
    out.append("fastest: ").append(a.fastest().map(r -> r.caseId() + ", " + Figures.seconds(r.timePerImageS())
        + " s/image, " + MarkdownReport.usd(CostAnalysis.spot(r)) + " per 1000 images spot on "
        + MarkdownReport.instance(r)).orElse(NA)).append('\n');
    out.append(counts(report.results())).append('\n');
    if (!report.complete()) out.append(report.incompleteNote()).append('\n');
    return io.genbench.Printable.text(out.toString()); // ids and worker messages: no escape sequence reaches the terminal
  }

  /**
   * E.g. {@code 4 cases: 4 SUCCESS — 3 VALID, 1 INVALID (see report.md)}: statuses in their declared order, then the
   * verdicts of the successful cases.
   */
  static String counts(List<CaseResult> results) {
    Map<CaseStatus, Long> byStatus = new EnumMap<>(CaseStatus.class);
    results.stream().filter(r -> r.status() != null)
        .forEach(r -> byStatus.merge(r.status(), 1L, Long::sum));
    String detail = byStatus.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name())
        .collect(Collectors.joining(", "));
    Map<String, Long> verdicts = new java.util.LinkedHashMap<>();
    for (String label : List.of("VALID", "HOST-BOUND", "INVALID")) {
      long n = results.stream().filter(r -> r.verdict() != null && r.verdict().label().equals(label)).count();
      if (n > 0) verdicts.put(label, n);
    }
    String judged = verdicts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    boolean attention = verdicts.containsKey("INVALID") || verdicts.containsKey("HOST-BOUND");
    return results.size() + (results.size() == 1 ? " case" : " cases") + (detail.isEmpty() ? "" : ": " + detail)
        + (judged.isEmpty() ? "" : " — " + judged + (attention ? " (see report.md)" : ""));
  }
}
