package io.genbench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.analyze.LatencySummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code results.json}: every figure of the run, indented:
 * <pre>
 * {"run_id": …, "environment": {…environment.json…}, "statistics_definition": LatencySummary.DEFINITION,
 *  "cost_formula": RunReport.COST_FORMULA, "price_catalog_note": …, "cases": [ result.json of each case, plan order ],
 *  "time_share": {…TimeShare.json(): where the wall time went; runs with timing events only…}}
 * </pre>
 * Cases are written through the shared Jackson configuration ({@link Json}: snake_case), so each element equals the
 * case's {@code result.json}. Latencies stay raw, in nanoseconds (the unit is in each field's name); money
 * ({@code BigDecimal}) is written as a plain JSON number, never in exponent notation. Ends with a newline.
 */
public final class ResultsJson {
  private static final ObjectWriter WRITER = Json.PRETTY.writer().with(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN);

  private ResultsJson() {}

  public static String render(RunReport report) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("run_id", report.runId());
    root.put("environment", redacted(report.environment()));
    root.put("statistics_definition", LatencySummary.DEFINITION);
    root.put("cost_formula", RunReport.COST_FORMULA);
    root.put("price_catalog_note", report.priceCatalogNote());
    root.put("cases", report.results());
    List<Map<String, String>> overflow = report.results().stream().flatMap(r -> MemoryFit.exceeded(r)
        .map(f -> Map.of("case_id", r.caseId(), "note", f.note())).stream()).toList();
    if (!overflow.isEmpty()) root.put("does_not_fit", overflow); // only then: other runs' results.json stay as they were
    TimeShare time = report.shownTimeShare();
    if (time != null) root.put("time_share", time.json()); // only runs with timing events: older results.json stay as they were
    if (!report.complete()) { // only then: a complete run's results.json stays as it was
      root.put("complete", false);
      root.put("incomplete_note", report.incompleteNote());
      root.put("unfinished_cases", report.unfinished());
    }
    try {
      return WRITER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write results.json of run " + report.runId(), e);
    }
  }

  /** The environment with credentials in its command line masked, also for a run recorded before they were. */
  private static JsonNode redacted(JsonNode environment) {
    if (environment == null || !(environment.get("command_line") instanceof ArrayNode cmd)) return environment;
    ObjectNode copy = environment.deepCopy();
    ArrayNode masked = copy.putArray("command_line");
    for (String arg : io.genbench.Secrets.redact(java.util.stream.StreamSupport.stream(cmd.spliterator(), false)
        .map(JsonNode::asText).toList())) {
      masked.add(arg);
    }
    return copy;
  }
}
