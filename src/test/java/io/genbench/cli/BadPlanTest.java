package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad plan is a usage error (exit 2) that names the problem, and nothing is written. The corpus lies in
 * {@code src/test/resources/plans/bad/}; each file's first line says what the message must contain
 * ({@code # expect: part|part}).
 */
final class BadPlanTest {
  private static final Path CORPUS = Path.of("src/test/resources/plans/bad");
  private static final String GOOD = """
      cases:
        - model: stabilityai/stable-diffusion-2-1
          instance_type: g5.xlarge
      """;

  @TempDir
  Path tmp;

  static Stream<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void eachBadPlanOfTheCorpusExitsTwoNamingTheProblemAndWritesNothing(Path plan) throws IOException {
    String first = Files.readAllLines(plan).getFirst();
    assertThat(first).as("first line of " + plan).startsWith("# expect: ");
    String[] expected = first.substring("# expect: ".length()).split("\\|");

    assertRunRefused(plan, expected);
  }

  @Test
  void anEmptyFileIsRefusedByName() throws IOException {
    Path plan = Files.writeString(tmp.resolve("empty.yaml"), "");

    assertRunRefused(plan, "empty.yaml", "is empty");
  }

  @Test
  void aBinaryFileIsRefusedByName() throws IOException {
    Path plan = Files.write(tmp.resolve("model.bin"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 8, (byte) 0x9c, 'x'});

    assertRunRefused(plan, "model.bin", "is not a text file", "NUL");
  }

  @Test
  void aFileThatIsNotUtf8IsRefusedByName() throws IOException {
    Path plan = Files.write(tmp.resolve("latin1.yaml"), (GOOD + "    prompt: caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));

    assertRunRefused(plan, "latin1.yaml", "is not a text file", "UTF-8");
  }

  @Test
  void anOversizedFileIsRefusedByName() throws IOException {
    Path plan = Files.writeString(tmp.resolve("huge.yaml"), GOOD + "#" + "x".repeat(Limits.MAX_PLAN_BYTES) + "\n");

    assertRunRefused(plan, "huge.yaml", "KiB", "more than a plan can be");
  }

  @Test
  void tooManyCasesAreRefused() throws IOException {
    StringBuilder yaml = new StringBuilder("cases:\n");
    for (int i = 0; i <= Limits.MAX_CASES; i++) {
      yaml.append("  - {id: c").append(i).append(", model: sdxl, instance_type: g5.xlarge}\n");
    }
    Path plan = Files.writeString(tmp.resolve("many.yaml"), yaml);

    assertRunRefused(plan, "2001 cases", "split it");
  }

  @Test
  void anOverlongPromptIsRefused() throws IOException {
    Path plan = Files.writeString(tmp.resolve("prompt.yaml"), GOOD + "    prompt: " + "a".repeat(Limits.MAX_PROMPT_CHARS + 1) + "\n");

    assertRunRefused(plan, "prompt", "4097 characters");
  }

  @Test
  void anUnknownRegionIsRefusedBeforeTheRun() throws IOException {
    Path plan = Files.writeString(tmp.resolve("plan.yaml"), GOOD);

    assertRunRefused(plan, List.of("--region", "mars-1"), "Unknown region \"mars-1\"", "--region", "us-east-1");
  }

  @Test
  void anUnknownActualInstanceIsRefusedBeforeTheRun() throws IOException {
    Path plan = Files.writeString(tmp.resolve("plan.yaml"), GOOD);

    assertRunRefused(plan, List.of("--actual-instance", "g99.mega"), "Unknown instance type \"g99.mega\"", "--actual-instance");
  }

  @Test
  void planAndPriceRefuseTheSameUnknownNamesWithTheSameMessage() {
    Cli plan = Cli.run("plan", "--mode", "sd_only", "--instance-types", "g99.mega", "--output", tmp.resolve("p.yaml").toString());
    Cli price = Cli.run("price", "g99.mega");
    Cli region = Cli.run("price", "g5.xlarge", "--region", "mars-1");

    assertThat(plan.exitCode()).isEqualTo(2);
    assertThat(plan.err()).contains("Unknown instance type \"g99.mega\" (--instance-types): the price catalog");
    assertThat(price.exitCode()).isEqualTo(2);
    assertThat(price.err()).contains("Unknown instance type \"g99.mega\" (INSTANCE_TYPE): the price catalog");
    assertThat(region.exitCode()).isEqualTo(2);
    assertThat(region.err()).contains("Unknown region \"mars-1\" (--region)");
    assertThat(tmp.resolve("p.yaml")).doesNotExist();
  }

  @Test
  void planRefusesToOverwriteWithoutForce() throws IOException {
    Path out = Files.writeString(tmp.resolve("mine.yaml"), "precious\n");

    Cli refused = Cli.run("plan", "--mode", "sdxl_only", "--output", out.toString());
    String kept = Files.readString(out);
    Cli forced = Cli.run("plan", "--mode", "sdxl_only", "--output", out.toString(), "--force");

    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("mine.yaml exists").contains("--force");
    assertThat(kept).isEqualTo("precious\n");
    assertThat(forced.exitCode()).isZero();
    assertThat(Files.readString(out)).contains("cases:");
  }

  @Test
  void planRefusesOutOfBoundsValues() {
    assertThat(Cli.run("plan", "--mode", "sd_only", "--batch-sizes", "2000").err()).contains("2000").contains("1 to 1024");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--resolutions", "16384x512").err()).contains("at most 8192");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--timeout", "1e309").err()).contains("--timeout");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--min-duration", "NaN").err()).contains("--min-duration").contains("finite");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--max-iterations", "999999999").err()).contains("--max-iterations");
  }

  private void assertRunRefused(Path plan, String... expected) {
    assertRunRefused(plan, List.of(), expected);
  }

  private void assertRunRefused(Path plan, List<String> options, String... expected) {
    Path out = tmp.resolve("run-" + plan.getFileName());
    List<String> args = new java.util.ArrayList<>(List.of("run", plan.toString(), "--backend", "onnx", "--out", out.toString()));
    args.addAll(options);

    Cli r = Cli.run(args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("genbench: ").contains(expected).doesNotContain("internal error", "Exception");
    assertThat(r.err().lines().count()).as("one message, no stack trace: " + r.err()).isLessThanOrEqualTo(2);
    assertThat(out).doesNotExist();
  }
}
