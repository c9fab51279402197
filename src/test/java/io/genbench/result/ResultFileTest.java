package io.genbench.result;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The typed result reads every committed {@code result.json} and writes it back byte for byte, as the same kind. */
final class ResultFileTest {

  static List<Path> storedResults() throws Exception {
    try (Stream<Path> files = Files.walk(Path.of("bench"))) {
      return files.filter(f -> f.getFileName().toString().equals("result.json")
          && f.toString().replace('\\', '/').matches("bench/example-[^/]+/cases/[^/]+/result\\.json")).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("storedResults")
  void aStoredResultReadsAndWritesBackByteIdentical(Path file) throws Exception {
    String stored = Files.readString(file);

    CaseResult r = Json.MAPPER.readValue(stored, CaseResult.class);

    assertThat(Json.PRETTY.writeValueAsString(r)).isEqualTo(stored.stripTrailing());
  }

  @ParameterizedTest
  @MethodSource("storedResults")
  void aStoredResultIsTypedByWhatItsFileSays(Path file) throws Exception {
    var node = Json.MAPPER.readTree(file.toFile());

    CaseResult r = Json.MAPPER.treeToValue(node, CaseResult.class);

    boolean llm = node.get("images_per_request").asInt() == 0;
    assertThat(r.workload()).isInstanceOf(llm ? Workload.Llm.class : Workload.Diffusion.class);
    assertThat(r.run().rates()).isInstanceOf(llm ? CaseResult.TokenRates.class : CaseResult.ImageRates.class);
    if (!node.get("cost").isNull()) {
      assertThat(r.cost()).isInstanceOf(llm ? CaseResult.TokenCost.class : CaseResult.ImageCost.class);
    }
    boolean failed = !node.get("failure").isNull();
    assertThat(r.outcome()).isInstanceOf(failed ? CaseResult.Failed.class : CaseResult.Measured.class);
  }

  @org.junit.jupiter.api.Test
  void theExampleRunsHoldBothWorkloadsAndBothOutcomes() throws Exception {
    List<CaseResult> all = storedResults().stream().map(f -> {
      try {
        return Json.MAPPER.readValue(f.toFile(), CaseResult.class);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();

    assertThat(all).anyMatch(r -> r.workload() instanceof Workload.Llm);
    assertThat(all).anyMatch(r -> r.workload() instanceof Workload.Diffusion);
    assertThat(all).anyMatch(r -> r.outcome() instanceof CaseResult.Failed);
    assertThat(all).anyMatch(r -> r.outcome() instanceof CaseResult.Measured);
    assertThat(all).anyMatch(r -> r.cost() instanceof CaseResult.TokenCost);
    assertThat(all).anyMatch(r -> r.cost() instanceof CaseResult.ImageCost);
  }
}
