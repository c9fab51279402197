package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import org.junit.jupiter.api.Test;

class RowTest {
  private static Row row(String json) throws Exception {
    ObjectNode node = (ObjectNode) Json.MAPPER.readTree(json);
    return new Row(node.path("kind").asText(), node);
  }

  @Test
  void theTypedValuesAreTheRowsFieldsWithAbsenceKeptWhereItIsAFinding() throws Exception {
    Row.Values v = row("{\"kind\":\"seq_knee\",\"model\":\"facebook/opt-125m\",\"tiny\":true,\"batch_size\":8,"
        + "\"prefill_knee_length\":512,\"decode_knee_length\":null}").values();

    assertThat(v.kind()).isEqualTo("seq_knee");
    assertThat(v.batchSize()).isEqualTo(8);
    assertThat(v.prefillKneeLength()).isEqualTo(512);
    assertThat(v.decodeKneeLength()).isNull();
    assertThat(v.memoryLimitLength()).isNull();
    assertThat(v.modelName()).isEqualTo("opt-125m (tiny)");
    assertThat(v.operation()).isEmpty();
    assertThat(v.tpSize()).isZero();
  }

  @Test
  void whatTheReportPutsIsInTheJsonInOrderAndInTheValuesAfter() throws Exception {
    Row r = row("{\"kind\":\"tp\",\"tp_size\":2}");
    assertThat(r.values().speedup()).isNull();

    r.put("speedup", 1.5).put("suspect", true);

    assertThat(r.json().toString()).isEqualTo("{\"kind\":\"tp\",\"tp_size\":2,\"speedup\":1.5,\"suspect\":true}");
    assertThat(r.values().speedup()).isEqualTo(1.5);
    assertThat(r.values().isSuspect()).isTrue();
  }

  @Test
  void aFieldOfTheWrongTypeLeavesTheRowItsKindAndNoFigures() throws Exception {
    Row r = row("{\"kind\":\"collective\",\"bytes\":\"many\",\"ranks\":2}");

    assertThat(r.kind()).isEqualTo("collective");
    assertThat(r.values().ranks()).isZero();
    assertThat(r.json().path("bytes").asText()).isEqualTo("many");
  }
}
