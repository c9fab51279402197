package io.genbench.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkerCase#read}, the one reader of CASE objects: the nested form, and the flat form of every {@code case}
 * event of the committed runs (bench/example-*, the protocol's controller fixture), field for field.
 */
final class WorkerCaseReaderTest {

  /** Every flat {@code case} event's spec stored in the repository. */
  private static List<JsonNode> storedFlatSpecs() throws IOException {
    List<Path> logs = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("bench"))) {
      files.filter(p -> p.getFileName().toString().equals("events.jsonl") && p.toString().contains("example-")).forEach(logs::add);
    }
    logs.add(Path.of("protocol/schema/fixtures/controller_events.jsonl"));
    List<JsonNode> specs = new ArrayList<>();
    for (Path log : logs) {
      for (String line : Files.readAllLines(log)) {
        if (!line.contains("\"type\":\"case\"")) continue;
        JsonNode spec = Json.MAPPER.readTree(line).path("spec");
        if (!spec.has("workload")) specs.add(spec);
      }
    }
    return specs;
  }

  @Test
  void everyStoredFlatCaseReadsIntoItsGroupsFieldForField() throws IOException {
    List<JsonNode> specs = storedFlatSpecs();
    assertThat(specs).as("the committed runs hold flat case events of both workloads").hasSizeGreaterThan(10)
        .anySatisfy(s -> assertThat(s.path("output_tokens").isNull()).isFalse())
        .anySatisfy(s -> assertThat(s.path("output_tokens").isNull()).isTrue());

    for (JsonNode flat : specs) {
      WorkerCase c = WorkerEvent.parse("{\"type\":\"case\",\"case_id\":\"x\",\"spec\":" + flat + "}") instanceof WorkerEvent.CaseSpec cs
          ? cs.spec() : null;
      assertThat(c).isNotNull();
      String id = flat.path("id").asText();
      assertThat(List.of(c.id(), c.model(), c.instanceType(), c.precision(), c.batchSize())).as(id)
          .containsExactly(id, flat.path("model").asText(), flat.path("instance_type").asText(),
              flat.path("precision").asText(), flat.path("batch_size").asInt());
      switch (c.workload()) {
        case WorkerCase.Diffusion d -> {
          assertThat(flat.path("output_tokens").isNull()).as(id).isTrue();
          assertThat(List.of(d.steps(), d.width(), d.height())).as(id).containsExactly(flat.path("inference_steps").asInt(),
              flat.path("width").asInt(), flat.path("height").asInt());
          assertThat(d.frames()).as(id).isEqualTo(flat.path("frames").isNull() ? null : flat.path("frames").asInt());
          assertThat(d.guidanceScale()).as(id).isEqualTo(flat.path("guidance_scale").asDouble());
          assertThat(List.of(d.scheduler(), d.prompt())).as(id).containsExactly(flat.path("scheduler").asText(),
              flat.path("prompt").asText());
        }
        case WorkerCase.Llm l -> {
          assertThat(List.of(l.promptTokens(), l.outputTokens())).as(id).containsExactly(flat.path("prompt_tokens").asInt(),
              flat.path("output_tokens").asInt());
          assertThat(l.flatSteps()).as(id + ": kept for its result files").isEqualTo(flat.path("inference_steps").asInt());
        }
      }
      for (String knob : List.of("attention", "cuda_graphs", "compile", "channels_last")) {
        assertThat(String.valueOf(c.knobs().get(knob))).as(id + " " + knob).isEqualTo(flat.path(knob).asText());
      }
      WorkerCase.Measure m = c.measure();
      assertThat(List.of(m.warmupIterations(), m.minIterations(), m.maxIterations(), m.seed())).as(id).containsExactly(
          flat.path("warmup_iterations").asInt(), flat.path("min_iterations").asInt(), flat.path("max_iterations").asInt(),
          flat.path("seed").asLong());
      assertThat(m.minDurationS()).as(id).isEqualTo(flat.path("min_duration_s").asDouble());
      // the stop rule's settings: null in the logs from before them, which keep the older verdict rule
      assertThat(m.targetCiPct()).as(id).isEqualTo(flat.has("target_ci_pct") ? flat.path("target_ci_pct").asDouble() : null);
      assertThat(m.maxMeasureS()).as(id).isEqualTo(flat.has("max_measure_s") ? flat.path("max_measure_s").asDouble() : null);
      assertThat(List.of(c.tiny(), String.valueOf(c.backend()), String.valueOf(c.weights()))).as(id).containsExactly(
          flat.path("tiny").asBoolean(), flat.path("backend").isMissingNode() ? "null" : flat.path("backend").asText(),
          flat.path("weights").isNull() ? "null" : flat.path("weights").asText());
    }
  }

  @Test
  void aCaseReadFromTheFlatFormIsWrittenNestedAndReadsBackTheSame() throws IOException {
    for (JsonNode flat : storedFlatSpecs()) {
      WorkerCase c = WorkerCase.read(flat);

      JsonNode nested = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(c));

      assertThat(nested.has("inference_steps")).isFalse();
      assertThat(nested.path("workload").path("kind").asText()).isIn("diffusion", "llm");
      assertThat(nested.path("workload").has("flat_steps")).as("the flat form's leftover is never written").isFalse();
      WorkerCase back = WorkerCase.read(nested);
      // the same case, but for the flat form's unused diffusion default on an LLM case, which only old logs carry
      assertThat(back).isEqualTo(c.workload() instanceof WorkerCase.Llm l
          ? new WorkerCase(c.id(), c.model(), c.instanceType(), c.precision(), c.batchSize(),
              new WorkerCase.Llm(l.promptTokens(), l.outputTokens()), c.knobs(), c.measure(), c.weights(), c.saveImages(),
              c.tiny(), c.backend())
          : c);
    }
  }

  @Test
  void anLlmCaseIsWrittenWithOnlyItsWorkloadsFields() throws IOException {
    var c = new WorkerCase("opt", "facebook/opt-125m", "g5.xlarge", "float16", 2, new WorkerCase.Llm(128, 64),
        Map.of("attention", "sdpa"), new WorkerCase.Measure(2, 30, 60, 0.05, 3, 10, 100, 5, 3.0, 60.0, 42), null, null,
        false, "torch");

    JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(c));

    assertThat(json.path("workload")).isEqualTo(Json.MAPPER.readTree("{\"kind\":\"llm\",\"prompt_tokens\":128,\"output_tokens\":64}"));
    assertThat(c.imagesPerRequest()).isZero();
  }

  @Test
  void anUnknownWorkloadKindIsRefusedByName() {
    JsonNode bad = Json.MAPPER.createObjectNode().put("id", "x").set("workload", Json.MAPPER.createObjectNode().put("kind", "audio"));

    assertThatThrownBy(() -> WorkerCase.read(bad)).hasMessageContaining("audio").hasMessageContaining("diffusion, llm");
  }
}
