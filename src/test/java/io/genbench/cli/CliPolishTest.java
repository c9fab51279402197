package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a new user meets in --help and at the edges of the commands (issue 19, item 15). */
final class CliPolishTest {
  @TempDir
  Path tmp;

  @AfterEach
  void restore() {
    NewestRuns.results = Path.of("results");
  }

  /** A line that ends inside a name: {@code g6e.} / {@code xlarge}, {@code ~/.} / {@code cache}. */
  private static final Pattern SPLIT_NAME = Pattern.compile("(?:[A-Za-z0-9~]\\.|[A-Za-z0-9]/)$");

  @ParameterizedTest(name = "genbench {0} --help")
  @ValueSource(strings = {"plan", "run", "report", "compare", "best", "price", "models", "suite", "history list"})
  void helpNeverSplitsANameRepeatsALabelOrShowsNull(String command) {
    String out = Cli.run((command + " --help").split(" ")).out();
    List<String> lines = out.lines().toList();

    for (int i = 0; i + 1 < lines.size(); i++) {
      String line = lines.get(i).stripTrailing();
      String next = lines.get(i + 1).strip();
      boolean continues = !next.isEmpty() && Character.isLowerCase(next.charAt(0));
      // "it." at a sentence's end followed by a new sentence is fine; a dotted name cut in two is not
      if (continues && SPLIT_NAME.matcher(line).find() && !line.matches(".*\\b[a-z]{2,}\\.$")) {
        throw new AssertionError("genbench " + command + " --help splits a name:\n" + line + "\n" + lines.get(i + 1));
      }
    }
    assertThat(out).doesNotContain(" null").doesNotContain("B C F H W B C F H W").doesNotContain("Test ");
  }

  @Test
  void reportBestAndCompareWithoutADirectoryTakeTheNewestRunsAndSayWhich() throws Exception {
    NewestRuns.results = tmp;
    Path older = run("20261201-a", 1_000_000);
    Path newer = run("aaa-custom-name", 2_000_000); // newest by creation, not by name

    assertThat(NewestRuns.under(tmp, 5)).containsExactly(newer, older);
    assertThat(NewestRuns.orNewest(null, "RUN_DIR", 0)).isEqualTo(newer);
    assertThat(NewestRuns.orNewest(null, "BASELINE", 1)).isEqualTo(older);
    assertThat(NewestRuns.orNewest(tmp.resolve("given"), "RUN_DIR", 0)).isEqualTo(tmp.resolve("given"));

    NewestRuns.results = tmp.resolve("none");
    Cli r = Cli.run("best");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("No RUN_DIR given").contains("no run directories under");
  }

  private Path run(String name, long mtimeMs) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(name).resolve("cases")).getParent();
    Path plan = Files.writeString(d.resolve("plan.yaml"), "cases: []\n");
    Files.setLastModifiedTime(plan, FileTime.fromMillis(mtimeMs));
    return d;
  }

  @Test
  void aRegionTheCatalogDoesNotPriceIsOneMessageNamingTheRegionsItHas() {
    Cli r = Cli.run("price", "g5.xlarge", "--region", "eu-west-1", "--prices", "offline");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("Unknown region \"eu-west-1\"").contains("Known: us-east-1").contains("No live price either: offline");
  }
}
