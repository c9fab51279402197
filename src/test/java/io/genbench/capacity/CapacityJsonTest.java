package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import org.junit.jupiter.api.Test;

final class CapacityJsonTest {

  @Test
  void aResultWritesTheSloAsTextAndEachLevelWithItsOutcome() throws Exception {
    Slo slo = Slo.parse("p95<=4s,error_rate<=1%", "--slo");
    var server = SimulatedServer.evenArrivals(0.37, 100).countingGoodputAgainst(slo);
    CapacityResult result = new CapacitySearch(slo, new LevelValidity.Rules(0.98, 0.01, 0.9, 0, 50),
        CapacitySearch.Settings.startingAt(1), () -> 0L).search(server);

    JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(result));

    assertThat(json.path("slo").asText()).isEqualTo("response_p95<=4s,error_rate<=1%");
    assertThat(json.path("last_passing_rate").asDouble()).isEqualTo(result.lastPassingRate());
    assertThat(json.path("binding").path("kind").asText()).isEqualTo("slo");
    assertThat(json.path("binding").path("description").asText()).isEqualTo(result.binding().describe());
    assertThat(json.path("levels").get(0).path("outcome").asText()).isEqualTo("FAIL");
    assertThat(json.path("levels").get(0).path("check").path("items").get(0).path("constraint").asText()).isEqualTo("response_p95<=4s");
    assertThat(json.path("levels").get(0).path("figures").path("latency").path("RESPONSE").path("p95").asDouble()).isGreaterThan(4);
  }

  @Test
  void anSloReadsBackFromItsText() throws Exception {
    Slo slo = Json.MAPPER.readValue("\"ttft_p99<=500ms,error_rate<=1%\"", Slo.class);

    assertThat(slo.constraints()).hasSize(2);
    assertThat(Json.MAPPER.writeValueAsString(slo)).isEqualTo("\"ttft_p99<=500ms,error_rate<=1%\"");
  }
}
