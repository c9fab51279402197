package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SuiteCommandTest {
  @TempDir Path out;

  static void requirePythonWithTorch() {
    try {
      io.genbench.execute.LocalProcessExecutor.findPython(System.getenv("GENBENCH_PYTHON"));
    } catch (io.genbench.UserError e) {
      org.assertj.core.api.Assumptions.assumeThat(System.getenv("GENBENCH_REQUIRE_WORKER")).as("no Python with torch").isNull();
      throw new org.opentest4j.TestAbortedException(e.getMessage());
    }
  }

  @Test
  void anUnknownExperimentExits2NamingTheChoices() {
    Cli r = Cli.run("suite", "nccl", "--simulate", "--out", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown experiment \"nccl\"").contains("collectives, bandwidth, pipeline-diffusion");
  }

  @Test
  void moreGpusThanTheHostHasExits2AndRunsNothing() {
    Cli r = Cli.run("suite", "collectives", "--gpus", "999", "--out", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--gpus 999").contains("GPU(s)").contains("--simulate");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void totalStepsThatDoNotDivideByEveryGpuCountExit2NamingTheFailingCounts() {
    Cli r = Cli.run("suite", "pipeline-diffusion", "--simulate", "--gpus", "4", "--gpu-counts", "1", "2", "3", "4",
        "--total-steps", "10", "--out", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("does not divide by GPU count(s) 3, 4");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void aGpuCountAboveGpusExits2() {
    Cli r = Cli.run("suite", "tp", "--simulate", "--gpus", "2", "--tp-sizes", "1", "4", "--out", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tp-sizes 4 exceeds --gpus 2");
  }

  @Test
  void simulatedCollectivesWriteTheRunDirectoryAndPrintBusBandwidth() throws Exception {
    requirePythonWithTorch();

    Cli r = Cli.run("suite", "collectives", "--simulate", "--gpus", "2", "--max-bytes", "256", "--min-bytes", "64",
        "--iterations", "2", "--warmup", "1", "--out", out.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    Path dir;
    try (Stream<Path> dirs = Files.list(out)) {
      dir = dirs.findFirst().orElseThrow();
    }
    assertThat(dir.getFileName().toString()).endsWith("-suite-collectives");
    assertThat(dir.resolve("suite.jsonl")).content().contains("\"type\":\"suite_done\"").contains("\"type\":\"launch\"");
    // every option the user gave, not only the experiment, --gpus and --simulate
    assertThat(dir.resolve("environment.json")).content().contains("\"--max-bytes\", \"256\"").contains("\"--iterations\", \"2\"");
    assertThat(dir.resolve("results.json")).content().contains("\"busbw_gb_s\"").contains("\"status\" : \"ok\"");
    assertThat(dir.resolve("collective.csv")).content().startsWith("processes,operation,bytes");
    assertThat(r.out()).contains("## collective").contains("all_to_all").contains("busbw_gb_s");
  }

  @Test
  void anUnknownConfigKeyExits2NamingItAndTheValidKeys() throws Exception {
    Path cfg = out.resolve("suite.yaml");
    Files.writeString(cfg, "models: [facebook/opt-125m]\nsequence_length: [128]\n");
    Path runs = out.resolve("runs");

    Cli r = Cli.run("suite", "quick", "--simulate", "--config", cfg.toString(), "--out", runs.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown key \"sequence_length\"").contains("sequence_lengths, batch_sizes, samples");
    assertThat(runs).doesNotExist();
  }

  @Test
  void aConfigValueOfTheWrongTypeExits2NamingTheKey() throws Exception {
    Path cfg = out.resolve("suite.yaml");
    Files.writeString(cfg, "batch_sizes: [1, 0]\n");

    Cli r = Cli.run("suite", "seq-scaling", "--simulate", "--config", cfg.toString(), "--out", out.resolve("runs").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"batch_sizes\" must be a list of integers >= 1");
  }

  @Test
  void simulatedQuickRunsEverySetExperimentIntoOneReportWithRecommendations() throws Exception {
    requirePythonWithTorch();
    Path cfg = out.resolve("suite.yaml");
    Files.writeString(cfg, "sequence_lengths: [8, 16]\nbatch_sizes: [1, 2]\nsamples: 1\nwarmup: 0\n");
    Path runs = out.resolve("runs");

    Cli r = Cli.run("suite", "quick", "--simulate", "--gpus", "2", "--config", cfg.toString(), "--out", runs.toString(),
        "--timeout", "300");

    assertThat(r.exitCode()).as(r.err()).isZero();
    Path dir;
    try (Stream<Path> dirs = Files.list(runs)) {
      dir = dirs.findFirst().orElseThrow();
    }
    assertThat(dir.getFileName().toString()).endsWith("-suite-quick");
    String report = Files.readString(dir.resolve("report.md"));
    assertThat(report).startsWith("# genbench suite: quick").contains("## Recommendations").contains("## preflight")
        .contains("## seq_knee").contains("## tp").contains("## pp").contains("## transfer");
    assertThat(report).containsPattern("TP=2 (is slower than one GPU|speeds decode up [0-9.]+×) at batch 1 for opt-125m \\(tiny\\) \\([0-9.]+ vs [0-9.]+");
    assertThat(dir.resolve("suite.jsonl")).content().contains("\"type\":\"suite_plan\",\"name\":\"quick\"");
    // report.html: the same report as one offline page, charts inline, recommendations as a list
    assertThat(dir.resolve("report.html")).content().startsWith("<!DOCTYPE html>").contains("<figure id=\"chart-scaling\">")
        .contains("<li>TP=2").doesNotContain("charts/scaling.svg");
    assertThat(Files.readString(dir.resolve("results.json"))).contains("\"recommendations\"").doesNotContainPattern("[0-9][eE][-+]?[0-9]");
  }
}
