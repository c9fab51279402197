package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.load.LoadRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench compare} of load run directories: the command, its formats and the mismatch with a case run. */
final class CompareLoadRunsTest {
  @TempDir
  Path tmp;

  @Test
  void twoLoadRunsAreComparedLevelByLevelAsJsonAndASlowerOneFailsTheGate() throws Exception {
    Path a = LoadRuns.synthetic(tmp.resolve("a"), "http://127.0.0.1:1/", 1, 20, 300);
    Path b = LoadRuns.synthetic(tmp.resolve("b"), "http://127.0.0.1:1/", 2, 30, 300);

    Cli r = Cli.run("compare", a.toString(), b.toString(), "--format", "json", "--fail-on-regression", "10%");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.REGRESSION.code());
    JsonNode root = Json.MAPPER.readTree(r.out());
    assertThat(root.path("levels").get(0).path("key").asText()).isEqualTo("c1");
    assertThat(root.path("levels").get(0).path("figures").get(0).path("change").asText()).isEqualTo("slower");
    assertThat(root.path("levels").get(0).path("figures").get(0).path("ratio").asDouble()).isBetween(1.4, 1.6);
    assertThat(root.path("regressions").get(0).asText()).isEqualTo("c1");
  }

  @Test
  void anEqualPairExitsZeroWithMarkdown() {
    Path a = LoadRuns.synthetic(tmp.resolve("a"), "http://127.0.0.1:1/", 1, 20, 200);
    Path b = LoadRuns.synthetic(tmp.resolve("b"), "http://127.0.0.1:1/", 2, 20, 200);

    Cli r = Cli.run("compare", a.toString(), b.toString(), "--fail-on-regression", "5%");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("# genbench compare (load runs)").contains("| `c1` | response p50 |")
        .contains("no significant difference").contains("No regression beyond 5 %");
  }

  @Test
  void aLoadRunAgainstACaseRunIsAUsageErrorNamingBothDirectoriesAndWhatEachIs() {
    Path load = LoadRuns.synthetic(tmp.resolve("load"), "http://127.0.0.1:1/", 1, 20, 20);
    Path cases = CompareCommandTest.SEED000;

    Cli r = Cli.run("compare", cases.toString(), load.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(load + " is a load run directory").contains(cases + " is a case run directory")
        .contains("cannot compare a load run with a case run");
  }
}
