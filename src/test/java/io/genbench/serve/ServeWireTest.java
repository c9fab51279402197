package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.genbench.Json;
import io.genbench.plan.Resolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The serving wire (protocol/schema/serve-*.schema.json), Java's side: what {@link WorkerImageBackend} writes to the
 * worker matches the requests schema, and the fixtures match theirs (worker/tests/test_serve.py checks the worker's).
 */
final class ServeWireTest {
  private static final Path SCHEMAS = Path.of("protocol/schema");
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private static Schema schema(String name) throws IOException {
    return REGISTRY.getSchema(SchemaLocation.of(SCHEMAS.resolve(name).toAbsolutePath().toUri().toString()),
        Json.MAPPER.readTree(SCHEMAS.resolve(name).toFile()));
  }

  private static List<String> errors(Schema schema, JsonNode node) {
    return schema.validate(node).stream().map(Error::toString).toList();
  }

  private static List<JsonNode> fixture(String name) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(SCHEMAS.resolve("fixtures").resolve(name))) {
      if (!line.isBlank()) lines.add(Json.MAPPER.readTree(line));
    }
    return lines;
  }

  @Test
  void theRequestsTheBackendWritesMatchTheSchema() throws IOException {
    Schema requests = schema("serve-requests.schema.json");
    var batch = new ImageBatch(new ImageBatch.Shape(new Resolution(512, 256), 20, 7.5), List.of("a", "b", "c"), new long[] {1, 2, 3});
    List<ObjectNode> written = List.of(WorkerImageBackend.imagesRequest(batch, 1, 3),
        WorkerImageBackend.generateRequest(new TextBackend.Request("Hello", null, 16, false)),
        WorkerImageBackend.generateRequest(new TextBackend.Request(null, List.of(2, 7), 4, true)));

    for (ObjectNode m : written) {
      m.put("id", "r1");
      assertThat(errors(requests, m)).as(m.toString()).isEmpty();
    }
    assertThat(written.getFirst().path("prompts").toString()).isEqualTo("[\"b\",\"c\"]");
    assertThat(written.getFirst().path("seeds").toString()).isEqualTo("[2,3]");
  }

  @Test
  void everyFixtureLineMatchesItsSchemaAndShowsEveryType() throws IOException {
    for (String[] pair : new String[][] {{"serve-requests.schema.json", "serve_requests.jsonl"}, {"serve-results.schema.json", "serve_results.jsonl"}}) {
      Schema schema = schema(pair[0]);
      Set<String> seen = new TreeSet<>();
      for (JsonNode line : fixture(pair[1])) {
        assertThat(errors(schema, line)).as(line.toString()).isEmpty();
        seen.add(line.path("type").asText());
      }
      Set<String> types = new TreeSet<>();
      Json.MAPPER.readTree(SCHEMAS.resolve(pair[0]).toFile()).path("properties").path("type").path("enum").forEach(t -> types.add(t.asText()));
      assertThat(seen).as(pair[1]).isEqualTo(types);
    }
  }

  @Test
  void theRequestsSchemaRefusesAGenerateWithBothPromptForms() throws IOException {
    ObjectNode both = WorkerImageBackend.generateRequest(new TextBackend.Request("Hello", null, 16, false));
    both.put("id", "r1");
    both.putArray("prompt_ids").add(1);

    assertThat(errors(schema("serve-requests.schema.json"), both)).isNotEmpty();
  }
}
