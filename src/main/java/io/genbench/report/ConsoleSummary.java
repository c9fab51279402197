package io.genbench.report;

import static io.genbench.report.Figures.NA;

import io.genbench.result.CaseResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The short plain-text table printed at the end of {@code genbench run}: one line per case (case, status, seconds per
 * image, images per second — tokens per second for LLM cases — and the spot cost of 1000 images), then
 * {@code lowest spot cost (valid): …} and {@code fastest (valid): …} (picked as {@code genbench best} picks: INVALID
 * cases and cases that do not fit are left out), the number of cases by status and verdict, {@code next: …}, the
 * remedies the verdicts name, and last where the wall time went ({@link TimeShare#line()}; runs with timing events).
 */
public final class ConsoleSummary {
  private static final List<String> HEADER = List.of("case", "status", "s/image", "images/s", "$/1000 images spot");

  private ConsoleSummary() {}

  public static String render(RunReport report) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (CaseResult r : report.results()) {
      rows.add(List.of(io.genbench.Printable.text(r.caseId()), r.status().name(), Figures.seconds(r.timePerImageS()),
          switch (r.run().rates()) {
            case CaseResult.ImageRates i -> Figures.fixed(i.imagesPerS(), 3);
            case CaseResult.TokenRates t -> t.tokensPerS() == null ? NA : Figures.fixed(t.tokensPerS(), 1) + " tok/s";
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
    out.append("lowest spot cost (valid): ").append(Overview.cheapest(a, Overview.Style.PLAIN)).append('\n');
    out.append("fastest (valid): ").append(Overview.fastest(a, Overview.Style.PLAIN)).append('\n');
    out.append(counts(report.results())).append('\n');
    String measured = MarkdownReport.measuredCount(report.results());
    if (measured != null) out.append(report.results().size()).append(" cases: ").append(measured).append('\n');
    if (!report.complete()) out.append(report.incompleteNote()).append('\n');
    for (String step : Overview.next(report)) out.append("next: ").append(step).append('\n');
    TimeShare time = report.shownTimeShare();
    if (time != null) out.append(time.line()).append('\n');
    return io.genbench.Printable.text(out.toString()); // ids and worker messages: no escape sequence reaches the terminal
  }

  /**
   * E.g. {@code 4 cases: 4 SUCCESS — 3 VALID, 1 INVALID (see report.md)}: statuses in their declared order, then the
   * verdicts of the successful cases.
   */
  static String counts(List<CaseResult> results) {
    String judged = Overview.verdicts(results);
    boolean attention = judged.contains("INVALID") || judged.contains("HOST-BOUND");
    return Overview.statuses(results) + (judged.isEmpty() ? "" : " — " + judged + (attention ? " (see report.md)" : ""));
  }
}
