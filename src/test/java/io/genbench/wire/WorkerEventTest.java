package io.genbench.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.wire.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Java side of the shared wire: every fixture line of protocol/fixtures parses. */
final class WorkerEventTest {
  private static final Path FIXTURES = Path.of("protocol/fixtures");

  @Test
  void everyFixtureLineParsesIntoItsEventType() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(FIXTURES)) {
      files = s.filter(p -> p.toString().endsWith(".jsonl")).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        WorkerEvent e = WorkerEvent.parse(line);
        String type = line.replaceAll(".*\"type\":\"([a-z_]+)\".*", "$1");
        assertThat(WorkerEvent.toLine(e)).as(f + ": " + line).contains("\"type\":\"" + type + "\"");
      }
    }
  }

  @Test
  void aSampleKeepsEveryStepTiming() throws Exception {
    String line = Files.readAllLines(FIXTURES.resolve("diffusion_success.jsonl")).get(3);

    var sample = (WorkerEvent.Sample) WorkerEvent.parse(line);

    assertThat(sample.stepNs()).containsExactly(8_000_000L, 8_100_000L, 7_900_000L);
    assertThat(sample.inferenceNs()).isEqualTo(24_000_000L);
    assertThat(sample.e2eNs()).isEqualTo(30_000_000L);
  }

  @Test
  void eventsRoundTrip() {
    var failed = new WorkerEvent.Failed("c", FailureKind.GPU_OUT_OF_MEMORY, "CUDA out of memory");

    assertThat(WorkerEvent.parse(WorkerEvent.toLine(failed))).isEqualTo(failed);
  }

  @Test
  void aFailureKindKeepsItsLowerSnakeSpellingOnTheWire() {
    var line = WorkerEvent.toLine(new WorkerEvent.Failed("c", FailureKind.OOM_SIGSEGV, "segfault"));

    assertThat(line).contains("\"kind\":\"oom_sigsegv\"");
  }

  @Test
  void aFailureKindFromANewerWorkerReadsAsAWorkerError() {
    var e = WorkerEvent.parse("{\"type\":\"failed\",\"case_id\":\"c\",\"kind\":\"gpu_on_fire\",\"message\":\"m\"}");

    assertThat(e).isEqualTo(new WorkerEvent.Failed("c", FailureKind.WORKER_ERROR, "m"));
  }

  @Test
  void aFailureWithoutAKindReadsAsAWorkerError() {
    var e = WorkerEvent.parse("{\"type\":\"failed\",\"case_id\":\"c\",\"message\":\"m\"}");

    assertThat(e).isEqualTo(new WorkerEvent.Failed("c", FailureKind.WORKER_ERROR, "m"));
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    var e = WorkerEvent.parse("{\"type\":\"done\",\"case_id\":\"c\",\"added_later\":1}");

    assertThat(e).isEqualTo(new WorkerEvent.Done("c"));
  }

  @Test
  void aLineThatIsNotAnEventIsRejectedWithTheLine() {
    assertThatThrownBy(() -> WorkerEvent.parse("Loading weights...")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Loading weights...");
  }

  @Test
  void aLoadedEventSaysWhetherTheCaseReusedItsModelAndALineWithoutItStaysWithoutIt() {
    var reused = (WorkerEvent.Loaded) WorkerEvent.parse("{\"type\":\"loaded\",\"case_id\":\"a\",\"load_ns\":5,\"weights\":\"random\",\"reused\":true}");
    var plain = new WorkerEvent.Loaded("a", 5, "random", null, null);

    assertThat(reused.built()).isFalse();
    assertThat(plain.built()).isTrue();
    assertThat(WorkerEvent.toLine(plain)).doesNotContain("reused");
    assertThat(WorkerEvent.toLine(reused)).contains("\"reused\":true");
  }
}
