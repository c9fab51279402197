package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.analyze.LatencySummary;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class ResultsJsonTest {
  @Test
  void matchesTheGoldenFileUnderAGermanLocale() {
    String json = ResultsJson.render(ReportFixtures.goldenRun());

    Golden.assertMatches("results.json", json);
  }

  @Test
  void statesTheRunTheDefinitionTheFormulaAndEveryCase() throws Exception {
    JsonNode root = Json.MAPPER.readTree(ResultsJson.render(ReportFixtures.goldenRun()));

    assertThat(root.path("run_id").asText()).isEqualTo("20261102-091403-a1b2");
    assertThat(root.path("statistics_definition").asText()).isEqualTo(LatencySummary.DEFINITION);
    assertThat(root.path("cost_formula").asText()).isEqualTo(RunReport.COST_FORMULA);
    assertThat(root.path("environment").path("backend").asText()).isEqualTo("torch-cuda");
    assertThat(root.path("cases")).extracting(c -> c.path("case_id").asText())
        .containsExactly("sd-2-1-g5xlarge-b1-s20-float16", "sdxl-g5xlarge-b4-s20-float32", "sdxl-g6exlarge-b1-s30-bfloat16");
  }

  @Test
  void writesMoneyAsPlainNumbers() throws Exception {
    String json = ResultsJson.render(ReportFixtures.goldenRun());

    String cost = json.substring(json.indexOf("\"cost\" : {"), json.indexOf('}', json.indexOf("\"cost\" : {")));
    assertThat(cost).contains(" : 0.0001118").doesNotContainPattern("[0-9][eE][-+]?[0-9]");
    assertThat(Json.MAPPER.readTree(json).path("cases").get(0).path("cost")).filteredOn(f -> !f.isNull()).hasSize(6)
        .allSatisfy(f -> assertThat(f.isNumber()).isTrue());
  }

  @Test
  void keepsLatenciesInNanoseconds() throws Exception {
    JsonNode e2e = Json.MAPPER.readTree(ResultsJson.render(ReportFixtures.goldenRun())).path("cases").get(0)
        .path("latency").path("e2e");

    assertThat(e2e.path("p50_ns").asLong()).isEqualTo(1_520_115_734L);
    assertThat(e2e.path("n").asInt()).isEqualTo(10);
  }
}
