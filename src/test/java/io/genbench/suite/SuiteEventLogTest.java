package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** suite.jsonl holds whole events only: a line that is not one is named, never dropped without a word. */
final class SuiteEventLogTest {
  @TempDir
  Path tmp;

  private static final String LAUNCH = "{\"type\":\"launch\",\"processes\":2,\"experiment\":\"collectives\"}";
  private static final String EXIT = "{\"type\":\"exit\",\"processes\":2,\"exit_code\":0,\"timed_out\":false}";

  @Test
  void tornLinesAreCountedAndNamedInTheReport() throws Exception {
    Path log = Files.writeString(tmp.resolve("suite.jsonl"), String.join("\n", LAUNCH, "{\"type\":\"record\",\"op", EXIT,
        "\"half", "") + "\n");

    SuiteReport report = SuiteReport.read(log);

    assertThat(report.unreadable()).hasValue("2 lines of " + log + " could not be read (torn or edited) and are left out of"
        + " every figure: lines 2, 4");
    assertThat(report.markdown()).contains("**Warning:** 2 lines of " + log);
  }

  @Test
  void aWholeLogSaysNothing() throws Exception {
    Path log = Files.writeString(tmp.resolve("suite.jsonl"), LAUNCH + "\n" + EXIT + "\n");

    SuiteReport report = SuiteReport.read(log);

    assertThat(report.unreadable()).isEmpty();
    assertThat(report.markdown()).doesNotContain("Warning");
  }
}
