package io.genbench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The wire as protocol/schema describes it (issue 7 part 7): every fixture line, the fixture job, and the schemas'
 * own coverage. Reads JSON files only, so it holds whatever Java classes read the wire; the worker's tests
 * (worker/tests/test_schema.py) validate the same files, and the worker's real output, against the same schemas.
 */
final class ProtocolSchemaTest {
  private static final Path SCHEMAS = Path.of("protocol/schema");
  private static final Path FIXTURES = Path.of("protocol/fixtures");
  private static final ObjectMapper JSON = new ObjectMapper();

  // schemas are read from protocol/schema by their file: IRI, so suite-events.schema.json's relative $ref to
  // events.schema.json resolves the same way here as in the worker's jsonschema
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      b -> b.schemas(ProtocolSchemaTest::read));
  private static final Schema EVENTS = schema("events.schema.json");
  private static final Schema SUITE = schema("suite-events.schema.json");
  private static final Schema JOB = schema("job.schema.json");

  private static Schema schema(String name) {
    return REGISTRY.getSchema(SchemaLocation.of(SCHEMAS.resolve(name).toAbsolutePath().toUri().toString()));
  }

  /** The text of a schema under protocol/schema named by its file: IRI; null (not ours) for any other IRI. */
  private static String read(String iri) {
    if (!iri.startsWith("file:")) return null;
    Path file = Path.of(URI.create(iri));
    if (!file.startsWith(SCHEMAS.toAbsolutePath())) return null;
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shared fixtures plus the schema's own (controller-written lines the worker's strict parser would refuse). */
  private static List<Path> eventFixtures() {
    List<Path> files = new ArrayList<>(jsonl(FIXTURES));
    files.add(SCHEMAS.resolve("fixtures/controller_events.jsonl"));
    return files;
  }

  private static List<Path> suiteFixtures() {
    return List.of(SCHEMAS.resolve("fixtures/suite_events.jsonl"));
  }

  private static List<Path> jsonl(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) events.add(JSON.readTree(line));
    }
    return events;
  }

  private static List<String> errors(Schema schema, JsonNode node) {
    return schema.validate(node).stream().map(Error::toString).toList();
  }

  private static ObjectNode parse(String json) throws IOException {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void theSchemasAreReadable() {
    assertThat(EVENTS).isNotNull();
    assertThat(SUITE).isNotNull();
    assertThat(JOB).isNotNull();
  }

  @Test
  void everyFixtureLineMatchesTheEventSchema() throws IOException {
    assertThat(jsonl(FIXTURES)).isNotEmpty();
    for (Path f : eventFixtures()) {
      List<JsonNode> events = lines(f);
      assertThat(events).as(f.toString()).isNotEmpty();
      for (int i = 0; i < events.size(); i++) {
        assertThat(errors(EVENTS, events.get(i))).as(f + " line " + (i + 1) + ": " + events.get(i)).isEmpty();
      }
    }
  }

  @Test
  void everySuiteFixtureLineMatchesTheSuiteSchema() throws IOException {
    for (Path f : suiteFixtures()) {
      List<JsonNode> events = lines(f);
      assertThat(events).as(f.toString()).isNotEmpty();
      for (int i = 0; i < events.size(); i++) {
        assertThat(errors(SUITE, events.get(i))).as(f + " line " + (i + 1) + ": " + events.get(i)).isEmpty();
      }
    }
  }

  @Test
  void theFixtureJobMatchesTheJobSchema() throws IOException {
    JsonNode job = JSON.readTree(FIXTURES.resolve("job.json").toFile());

    assertThat(errors(JOB, job)).isEmpty();
  }

  @Test
  void everyEventTypeTheSchemasNameAppearsInAFixture() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (Path f : eventFixtures()) lines(f).forEach(e -> seen.add(e.path("type").asText()));
    Set<String> suiteSeen = new TreeSet<>();
    for (Path f : suiteFixtures()) lines(f).forEach(e -> suiteSeen.add(e.path("type").asText()));

    assertThat(seen).containsAll(typesOf("events.schema.json"));
    assertThat(suiteSeen).containsAll(typesOf("suite-events.schema.json"));
  }

  @Test
  void everyEventTypeHasItsOwnDefinition() throws IOException {
    for (String name : List.of("events.schema.json", "suite-events.schema.json")) {
      JsonNode root = JSON.readTree(SCHEMAS.resolve(name).toFile());
      Set<String> dispatched = new TreeSet<>();
      for (JsonNode branch : root.path("allOf")) dispatched.add(branch.path("if").path("properties").path("type").path("const").asText());

      assertThat(dispatched).as(name).isEqualTo(typesOf(name));
    }
  }

  private static Set<String> typesOf(String schemaFile) throws IOException {
    Set<String> types = new TreeSet<>();
    JSON.readTree(SCHEMAS.resolve(schemaFile).toFile()).path("properties").path("type").path("enum")
        .forEach(t -> types.add(t.asText()));
    assertThat(types).as(schemaFile).isNotEmpty();
    return types;
  }

  // --- what the schemas must refuse

  @Test
  void aSampleWithAStringE2eIsRefused() throws IOException {
    ObjectNode sample = (ObjectNode) lines(FIXTURES.resolve("diffusion_success.jsonl")).get(3).deepCopy();
    assertThat(sample.path("type").asText()).isEqualTo("sample");
    assertThat(errors(EVENTS, sample)).isEmpty();

    sample.put("e2e_ns", "30000000");

    assertThat(errors(EVENTS, sample)).anySatisfy(e -> assertThat(e).contains("e2e_ns"));
  }

  @Test
  void aFractionalNanosecondCountIsRefused() throws IOException {
    assertThat(errors(EVENTS, parse("{\"type\":\"warmup\",\"case_id\":\"c\",\"iteration\":0,\"e2e_ns\":1.5}"))).isNotEmpty();
  }

  @Test
  void aFailedWithAnUnknownKindIsRefused() throws IOException {
    assertThat(errors(EVENTS, parse("{\"type\":\"failed\",\"case_id\":\"c\",\"kind\":\"skipped\",\"message\":\"m\"}"))).isEmpty();

    assertThat(errors(EVENTS, parse("{\"type\":\"failed\",\"case_id\":\"c\",\"kind\":\"out_of_luck\",\"message\":\"m\"}")))
        .anySatisfy(e -> assertThat(e).contains("kind"));
    assertThat(errors(SUITE, parse("{\"type\":\"suite_failed\",\"experiment\":\"tp\",\"kind\":\"out_of_luck\",\"message\":\"m\"}")))
        .isNotEmpty();
  }

  @Test
  void anUnknownEventTypeOrAMissingCaseIdIsRefused() throws IOException {
    assertThat(errors(EVENTS, parse("{\"type\":\"finished\",\"case_id\":\"c\"}"))).isNotEmpty();
    assertThat(errors(EVENTS, parse("{\"type\":\"done\"}"))).anySatisfy(e -> assertThat(e).contains("case_id"));
  }

  @Test
  void theSuiteHelloIsTheWorkersHello() throws IOException {
    String hello = "{\"type\":\"hello\",\"worker_version\":\"0.1.0\",\"protocol\":1,\"python\":%s,\"torch\":\"1.13.0\","
        + "\"cuda\":null,\"device\":\"cpu\",\"devices\":[],\"driver\":null,\"hostname\":\"ci\"}";
    assertThat(errors(SUITE, parse(hello.formatted("\"3.11.2\"")))).isEmpty();

    // only an in-JVM backend, which names itself in `backend`, may leave the Python version out
    assertThat(errors(SUITE, parse(hello.formatted("null")))).anySatisfy(e -> assertThat(e).contains("python"));
    assertThat(errors(EVENTS, parse(hello.formatted("null")))).anySatisfy(e -> assertThat(e).contains("python"));
  }

  @Test
  void unknownFieldsOfAnEventAreAllowedForForwardCompatibility() throws IOException {
    assertThat(errors(EVENTS, parse("{\"type\":\"done\",\"case_id\":\"c\",\"added_later\":1}"))).isEmpty();
  }

  @Test
  void aJobCaseWithoutIdIsRefused() throws IOException {
    ObjectNode job = parse(Files.readString(FIXTURES.resolve("job.json")));
    ((ObjectNode) job.path("cases").get(0)).remove("id");

    assertThat(errors(JOB, job)).anySatisfy(e -> assertThat(e).contains("id"));
  }

  @Test
  void aJobCaseWithAnUnknownFieldIsRefusedAsTheWorkerRefusesIt() throws IOException {
    ObjectNode job = parse(Files.readString(FIXTURES.resolve("job.json")));
    ((ObjectNode) job.path("cases").get(0)).put("inference_step", 20);

    assertThat(errors(JOB, job)).anySatisfy(e -> assertThat(e).contains("inference_step"));
  }

  @Test
  void aJobCaseWithAWidthOffTheGridOfEightIsRefused() throws IOException {
    ObjectNode job = parse(Files.readString(FIXTURES.resolve("job.json")));
    ((ObjectNode) job.path("cases").get(0)).put("width", 100);

    assertThat(errors(JOB, job)).isNotEmpty();
  }
}
