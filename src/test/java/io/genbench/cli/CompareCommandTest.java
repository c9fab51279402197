package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genbench compare} over synthetic runs: the committed seed 000 run with each case's measured samples replaced by
 * 30 lognormal e2e samples (CV 5 %, seeded), so the truth is known. The interval's calibration over 200 repetitions is
 * {@code MedianRatioTest}'s; here the command, its exit codes and its two formats.
 */
final class CompareCommandTest {
  static final Path SEED000 = Path.of("bench/example-h100-seed000");
  static final int N = 30;

  @TempDir
  Path tmp;

  /** A copy of the seed 000 run whose cases each hold {@code N} lognormal samples around their first sample × factor. */
  Path run(String name, long seed, double factor) throws IOException {
    Path root = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(SEED000)) {
      for (Path f : files.toList()) {
        Path to = root.resolve(SEED000.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(to);
        else Files.copy(f, to);
      }
    }
    Random random = new Random(seed);
    double sigma = Math.sqrt(Math.log(1 + 0.05 * 0.05));
    try (Stream<Path> cases = Files.list(root.resolve("cases"))) {
      for (Path c : cases.toList()) {
        Path events = c.resolve("events.jsonl");
        List<String> out = new ArrayList<>();
        boolean written = false;
        for (String line : Files.readAllLines(events)) {
          JsonNode e = Json.MAPPER.readTree(line);
          if (!"sample".equals(e.path("type").asText())) {
            out.add(line);
            continue;
          }
          if (written) continue;
          written = true;
          long center = e.path("e2e_ns").asLong();
          for (int i = 0; i < N; i++) {
            ObjectNode s = ((ObjectNode) e.deepCopy()).put("iteration", i)
                .put("e2e_ns", Math.round(center * factor * Math.exp(sigma * random.nextGaussian())));
            out.add(Json.MAPPER.writeValueAsString(s));
          }
        }
        Files.write(events, out);
      }
    }
    return root;
  }

  @Test
  void aTenPercentSlowdownIsSlowerInEveryCaseAndFailsTheFivePercentGateWithExitFour() throws IOException {
    Cli r = Cli.run("compare", run("base", 1, 1.0).toString(), run("cand", 2, 1.10).toString(), "--fail-on-regression", "5%");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.REGRESSION.code());
    assertThat(r.out()).contains("| 95 % CI |").contains("slower (regression)").doesNotContain("| no significant difference |")
        .contains("Regressions beyond 5 %");
  }

  @Test
  void noChangeExitsZeroUnderTheSameGate() throws IOException {
    Cli r = Cli.run("compare", run("base", 1, 1.0).toString(), run("cand", 2, 1.0).toString(), "--fail-on-regression", "5%");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("No regression beyond 5 %.").doesNotContain("(regression)");
  }

  @Test
  void jsonOutputParsesWithEveryCaseItsIntervalAndTheSeedAndLevel() throws IOException {
    Cli r = Cli.run("compare", run("base", 1, 1.0).toString(), run("cand", 2, 1.10).toString(), "--format", "json",
        "--level", "0.9", "--seed", "7");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.path("level").asDouble()).isEqualTo(0.9);
    assertThat(j.path("seed").asLong()).isEqualTo(7);
    assertThat(j.path("cases")).hasSize(8);
    for (JsonNode c : j.path("cases")) {
      assertThat(c.path("ci_low").asDouble()).isLessThanOrEqualTo(c.path("ratio").asDouble());
      assertThat(c.path("ci_high").asDouble()).isGreaterThanOrEqualTo(c.path("ratio").asDouble());
      assertThat(c.path("change").asText()).isEqualTo("slower");
      assertThat(c.path("memory_ratio").asDouble()).isEqualTo(1.0);
      assertThat(c.path("cost_ratio").asDouble()).isBetween(1.0, 1.2);
      assertThat(c.path("method").asText()).contains("samples resampled with replacement within each run");
    }
  }

  @Test
  void oneSeedGivesTheSameReportTwice() throws IOException {
    Path base = run("base", 1, 1.0);
    Path cand = run("cand", 2, 1.02);

    assertThat(Cli.run("compare", base.toString(), cand.toString(), "--seed", "3").out())
        .isEqualTo(Cli.run("compare", base.toString(), cand.toString(), "--seed", "3").out());
  }

  @Test
  void aCaseInOneRunOnlyIsListedNotCompared() throws IOException {
    Path base = run("base", 1, 1.0);
    Path cand = run("cand", 2, 1.0);
    deleteTree(cand.resolve("cases/sdxl-p548xlarge-b4-s20-float32"));

    Cli r = Cli.run("compare", base.toString(), cand.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("Only in the baseline: `sdxl-p548xlarge-b4-s20-float32`.");
  }

  @Test
  void badInputExitsTwoAndNamesIt() {
    Cli missing = Cli.run("compare", tmp.resolve("nope").toString(), SEED000.toString());
    Cli percent = Cli.run("compare", SEED000.toString(), SEED000.toString(), "--fail-on-regression", "five%");
    Cli level = Cli.run("compare", SEED000.toString(), SEED000.toString(), "--level", "95");
    Cli disjoint = Cli.run("compare", SEED000.toString(), "bench/example-h200-verdicts");

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("baseline run directory").contains("nope").contains("does not exist");
    assertThat(percent.exitCode()).isEqualTo(2);
    assertThat(percent.err()).contains("--fail-on-regression").contains("five%");
    assertThat(level.exitCode()).isEqualTo(2);
    assertThat(level.err()).contains("--level");
    assertThat(disjoint.exitCode()).isEqualTo(2);
    assertThat(disjoint.err()).contains("no case of").contains("matches");
  }

  @Test
  void percentagesAreReadWithOrWithoutTheSign() {
    assertThat(CompareCommand.percentage("5%")).isEqualTo(5.0);
    assertThat(CompareCommand.percentage("2.5 %")).isEqualTo(2.5);
    assertThat(CompareCommand.percentage("0")).isEqualTo(0.0);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }
}
