package io.genbench.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** environment.json's git_commit: recorded when genbench is built, so a copy without its .git still knows it. */
final class GitCommitTest {
  private static final Path PROJECT = Path.of("").toAbsolutePath();

  @TempDir
  Path tmp;

  @Test
  void theBuildRecordsTheCommitOfTheCheckoutItWasBuiltIn() throws Exception {
    String built = Environment.builtCommit();

    assertThat(built).as("the build wrote io/genbench/env/" + Environment.BUILD_PROPERTIES).isNotNull();
    if (Files.exists(PROJECT.resolve(".git"))) {
      String head = git("rev-parse", "HEAD");
      assertThat(built).matches("[0-9a-f]{40}(-dirty)?").startsWith(head);
    } else {
      assertThat(built).isEqualTo("unknown"); // built from a tree without .git: the build went on
    }
  }

  @Test
  void aTreeWithoutItsGitStillSaysTheCommitItWasBuiltFrom() {
    String commit = Environment.gitCommit(tmp); // genbench's home is a directory git knows nothing of

    assertThat(commit).isEqualTo(Environment.builtCommit());
    if (Files.exists(PROJECT.resolve(".git"))) assertThat(commit).isNotEqualTo("unknown");
  }

  @Test
  void theRecordedCommitWinsOverTheCheckoutsCurrentOne() {
    String recorded = "0123456789abcdef0123456789abcdef01234567";

    assertThat(Environment.gitCommit(PROJECT, recorded)).isEqualTo(recorded);
  }

  @Test
  void withNothingRecordedAndNoGitItIsUnknown() {
    assertThat(Environment.gitCommit(tmp, null)).isEqualTo("unknown");
  }

  private static String git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", PROJECT.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes()).strip();
  }
}
