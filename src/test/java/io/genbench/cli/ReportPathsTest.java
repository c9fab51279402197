package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console names report.html beside report.md: the page a person opens first. */
final class ReportPathsTest {
  @TempDir
  Path tmp;

  @Test
  void aRunPrintsTheHtmlReportsPathRightAfterTheMarkdownOnes() {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", OnnxRun.plan(tmp).toString(), "--backend", "onnx", "--threads", "1", "--out", out.toString(),
        "--no-history");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("report: " + out.resolve("report.md") + "\nhtml:   " + out.resolve("report.html") + "\n");
    assertThat(out.resolve("report.html")).isNotEmptyFile();
  }

  @Test
  void reportNamesBothFilesOnStderrAndKeepsStdoutTheReport() throws Exception {
    Path run = OnnxRun.copy(tmp, "20261101-090000-history-plan", "2026-11-01T09:00:00Z");

    Cli r = Cli.run("report", run.toString(), "--no-history");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(Files.readString(run.resolve("report.md")));
    assertThat(r.err()).contains("report: " + run.resolve("report.md") + "\nhtml:   " + run.resolve("report.html") + "\n");
  }
}
