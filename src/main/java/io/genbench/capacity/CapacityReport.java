package io.genbench.capacity;

import java.math.BigDecimal;

/**
 * The capacity section of a load report, Markdown: the answer (last pass, first fail, the binding constraint, goodput,
 * output rate, cost) and every level the search ran. Locale-free.
 */
public final class CapacityReport {
  private CapacityReport() {}

  /** The section, starting with its {@code ## Capacity under the SLO} heading and ending with a blank line. */
  public static String markdown(CapacityResult r, CapacityCost cost) {
    StringBuilder md = new StringBuilder();
    md.append("## Capacity under the SLO\n\n");
    md.append("SLO: `").append(r.slo().isEmpty() ? "none" : r.slo().toString()).append("`; resolution ")
        .append(CapacityResult.rate(r.resolution())).append("; search ").append(r.stop().label()).append(".\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "Maximum sustainable rate", r.lastPassingRate() == null ? "none: no rate passed"
        : CapacityResult.rate(r.lastPassingRate()) + (r.replicated() ? " (last pass, replicated)" : " (last pass, not replicated)"));
    row(md, "First failing rate", r.firstFailingRate() == null ? "none" : CapacityResult.rate(r.firstFailingRate()));
    if (r.firstInvalidRate() != null) row(md, "First INVALID rate", CapacityResult.rate(r.firstInvalidRate()));
    row(md, "Binding constraint", r.binding().describe());
    if (r.goodput() != null) row(md, "Goodput", CapacityResult.rate(r.goodput()) + " meeting every SLO");
    if (r.imagesPerSecond() != null) row(md, "Images/s", Units.decimal(r.imagesPerSecond(), 4));
    if (r.tokensPerSecond() != null) row(md, "Output tokens/s", Units.decimal(r.tokensPerSecond(), 4));
    if (cost != null) {
      row(md, "Cost " + cost.unit().label(), "spot " + usd(cost.spotUsd()) + ", on-demand " + usd(cost.ondemandUsd()) + " ("
          + cost.priceSource() + ")");
    }
    md.append('\n');
    for (String note : r.notes()) md.append("- ").append(note).append('\n');
    if (!r.notes().isEmpty()) md.append('\n');
    md.append("| # | phase | offered req/s | achieved req/s | requests | errors | response P95 | goodput req/s | outcome |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (ProbedLevel l : r.levels()) {
      LevelFigures f = l.figures();
      Distribution response = f.latency(Metric.RESPONSE);
      String outcome = switch (l.outcome()) {
        case PASS -> "PASS";
        case FAIL -> "FAIL: " + l.check().binding().map(SloCheck.Item::describe).orElse("");
        case INVALID -> l.validity().describe();
      };
      md.append("| ").append(l.index()).append(" | ").append(l.phase().label()).append(" | ").append(Units.decimal(l.rate(), 4))
          .append(" | ").append(Units.decimal(f.achievedRate(), 4)).append(" | ").append(f.requests()).append(" | ")
          .append(errors(f)).append(" | ").append(response == null ? "N/A" : Units.seconds(response.p95())).append(" | ")
          .append(Units.decimal(f.goodput(), 4)).append(" | ").append(outcome.replace("|", "\\|")).append(" |\n");
    }
    md.append('\n');
    md.append("Definitions: ").append(Distribution.DEFINITION).append(". Response time = done − scheduled; goodput = requests"
        + " meeting every SLO constraint per second; a level is INVALID (neither pass nor fail) when the generator could not"
        + " drive it.\n\n");
    return md.toString();
  }

  /** {@code 0}, or {@code 3 (reset 1, timeout 2)}. */
  private static String errors(LevelFigures f) {
    if (f.errors() == 0) return "0";
    StringBuilder kinds = new StringBuilder();
    f.errorsByKind().forEach((kind, n) -> kinds.append(kinds.isEmpty() ? "" : ", ").append(kind).append(' ').append(n));
    return f.errors() + " (" + kinds + ")";
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
  }

  private static String usd(BigDecimal v) {
    return v == null ? "N/A" : v.toPlainString() + " USD";
  }
}
