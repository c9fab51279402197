package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.io.TempDir;

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
    List<ObjectNode> written = List.of(WorkerImageBackend.imagesRequest(batch, 1, 3, null),
        WorkerImageBackend.imagesRequest(batch, 0, 1, Path.of("/dev/shm/genbench-serve-1/worker-0.rgb")),
        WorkerImageBackend.generateRequest(new TextBackend.Request("Hello", null, 16, false)),
        WorkerImageBackend.generateRequest(new TextBackend.Request(null, List.of(2, 7), 4, true)));

    for (ObjectNode m : written) {
      m.put("id", "r1");
      assertThat(errors(requests, m)).as(m.toString()).isEmpty();
    }
    assertThat(written.getFirst().path("prompts").toString()).isEqualTo("[\"b\",\"c\"]");
    assertThat(written.getFirst().path("seeds").toString()).isEqualTo("[2,3]");
    assertThat(written.getFirst().path("format").asText()).isEqualTo("rgb");
    assertThat(written.get(1).path("format").asText()).isEqualTo("file");
    assertThat(written.get(1).path("pixels_file").asText()).isEqualTo("/dev/shm/genbench-serve-1/worker-0.rgb");
  }

  @Test
  void imagesAreReadFromThePixelsFileAtTheOffsetsTheResultGives(@TempDir Path tmp) throws Exception {
    try (PixelFiles files = PixelFiles.create(tmp, 2)) {
      byte[] batch = new byte[2 * 4 * 2 * 3];
      for (int i = 0; i < batch.length; i++) batch[i] = (byte) i;
      Path file = files.acquire(1, 0).file();
      Files.write(file, batch);
      ObjectNode result = (ObjectNode) Json.MAPPER.readTree("{\"type\":\"images\",\"id\":\"r1\",\"compute_ns\":5,\"pixels_file\":\""
          + file + "\",\"images\":[{\"width\":4,\"height\":2,\"offset\":0,\"length\":24},"
          + "{\"width\":4,\"height\":2,\"offset\":24,\"length\":24}]}");
      assertThat(errors(schema("serve-results.schema.json"), result)).isEmpty();

      List<ImageBackend.Image> images = WorkerImageBackend.images(result, files::read);

      assertThat(images).hasSize(2);
      assertThat(images.get(0).rgb()).isEqualTo(java.util.Arrays.copyOfRange(batch, 0, 24));
      assertThat(images.get(1).rgb()).isEqualTo(java.util.Arrays.copyOfRange(batch, 24, 48));
      Files.write(file, java.util.Arrays.copyOf(batch, 30));  // a file cut short: a clear error, not garbage
      assertThatThrownBy(() -> WorkerImageBackend.images(result, files::read)).hasMessageContaining("the file ends at 30 bytes");
    }
  }

  @Test
  void pixelFilesLiveInAPrivateDirectoryThatCloseRemoves(@TempDir Path tmp) throws Exception {
    PixelFiles files = PixelFiles.create(tmp, 2);
    Path dir = files.dir();
    Path first = files.acquire(0, 0).file();
    assertThat(first).exists().hasParent(dir);
    assertThat(files.acquire(1, 0).file()).exists().isNotEqualTo(first);
    try (var listing = Files.list(dir)) {
      assertThat(listing.count()).isEqualTo(2 * PixelFiles.SLOTS);
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");

    files.close();

    assertThat(dir).doesNotExist();
  }

  @Test
  void aWorkersTwoFilesAlternateAndOneStillLeasedIsNeverGivenOut(@TempDir Path tmp) throws Exception {
    try (PixelFiles files = PixelFiles.create(tmp, 2)) {
      PixelFiles.Lease a = files.acquire(0, 0);
      PixelFiles.Lease b = files.acquire(0, 0);
      assertThat(b.file()).isNotEqualTo(a.file());
      assertThat(files.acquire(0, 1_000_000)).as("both of worker 0's files are being read").isNull();
      PixelFiles.Lease other = files.acquire(1, 0);
      assertThat(other.file()).isNotIn(a.file(), b.file());

      files.release(a);
      PixelFiles.Lease again = files.acquire(0, 0);
      assertThat(again.file()).isEqualTo(a.file());
      files.release(again);
      files.release(b);
      assertThat(files.acquire(0, 0).file()).as("the one not given last").isEqualTo(b.file());
      files.release(other);
      assertThatThrownBy(() -> files.release(other)).hasMessageContaining("released twice");
    }
  }

  @Test
  void aBatchWaitingForAFileGetsItWhenTheReadEnds(@TempDir Path tmp) throws Exception {
    try (PixelFiles files = PixelFiles.create(tmp, 1)) {
      PixelFiles.Lease a = files.acquire(0, 0);
      files.acquire(0, 0);
      var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return files.acquire(0, 30_000_000_000L);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(50);
      assertThat(waiting).isNotDone();

      files.release(a);

      assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS).file()).isEqualTo(a.file());
    }
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
