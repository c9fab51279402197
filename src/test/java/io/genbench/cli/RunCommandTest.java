package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.PlanFile;
import io.genbench.plan.TestCase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on the embedded default: plan, run, kill, resume, report. */
final class RunCommandTest {
  @TempDir
  Path tmp;

  private Path plan(String name) {
    return plan(name, "0.3");
  }

  private Path plan(String name, String minDurationS) {
    Path plan = tmp.resolve(name);
    List<String> args = new ArrayList<>(List.of("plan", "--mode", "sd_only", "--instance-types", "m7i.large",
        "--batch-sizes", "1", "2", "--resolutions", "64x64", "128x128", "--inference-steps", "2", "--precisions", "float32",
        "--warmup", "1", "--min-iterations", "3", "--max-iterations", "1000", "--min-duration", minDurationS,
        "--output", plan.toString()));
    assertThat(Cli.run(args.toArray(String[]::new)).exitCode()).isZero();
    return plan;
  }

  @Test
  void runWritesTheRunDirectoryAndExitsZero() throws Exception {
    Path plan = plan("plan.yaml");
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString(), "--threads", "1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    for (String f : List.of("plan.yaml", "environment.json", "summary.csv", "results.json", "results.csv", "report.md", "report.html")) {
      assertThat(out.resolve(f)).exists();
    }
    try (var cases = Files.list(out.resolve("cases"))) {
      assertThat(cases.toList()).hasSize(4).allSatisfy(c -> {
        assertThat(c.resolve("events.jsonl")).exists();
        assertThat(c.resolve("result.json")).exists();
        assertThat(c.resolve("latency.hlog")).content().contains("#[Histogram log format version");
      });
    }
    List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
    assertThat(summary).hasSize(5);
    assertThat(summary.subList(1, 5)).allSatisfy(row -> assertThat(row).endsWith(",SUCCESS"));
    assertThat(Files.readString(out.resolve("report.md"))).contains("onnx-cpu").contains("weights: random")
        .contains("median 95 % CI").contains("machine load").contains("load average"); // measured per case
    assertThat(Files.readString(out.resolve("environment.json"))).contains("\"seed\"").contains("onnxruntime 1.28.0")
        .contains("\"onnxruntime_intra_op_threads\" : 1");
    assertThat(r.out()).contains("lowest spot cost");

    // report --format prints one view and touches nothing: no view rewritten, nothing recorded
    Files.delete(out.resolve("summary.csv"));
    var reportMd = Files.getLastModifiedTime(out.resolve("report.md"));
    Cli csv = Cli.run("report", out.toString(), "--format", "csv", "--no-history");
    assertThat(csv.exitCode()).as(csv.err()).isZero();
    assertThat(csv.out()).startsWith("test_name,model,").hasLineCount(5);
    assertThat(out.resolve("summary.csv")).doesNotExist();
    assertThat(Files.getLastModifiedTime(out.resolve("report.md"))).isEqualTo(reportMd);
  }

  @Test
  void reportRebuildsTheSameViewsFromTheEventsAlone() throws Exception {
    Path out = tmp.resolve("run");
    assertThat(Cli.run("run", plan("plan.yaml").toString(), "--backend", "onnx", "--out", out.toString()).exitCode()).isZero();
    String summary = Files.readString(out.resolve("summary.csv"));
    for (String f : List.of("summary.csv", "results.json", "results.csv", "report.md", "report.html")) Files.delete(out.resolve(f));
    // result.json only marks a case finished: report recomputes it from events.jsonl
    for (Path c : Files.list(out.resolve("cases")).toList()) Files.writeString(c.resolve("result.json"), "{}");

    Cli r = Cli.run("report", out.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(out.resolve("summary.csv")).content().isEqualTo(summary);
    assertThat(r.out()).isEqualTo(Files.readString(out.resolve("report.md")));
    assertThat(Cli.run("report", out.toString(), "--format", "csv").out()).isEqualTo(summary);
    for (Path c : Files.list(out.resolve("cases")).toList()) assertThat(Files.readString(c.resolve("result.json"))).contains("\"latency\"");
  }

  @Test
  void aKilledRunResumesToExactlyTheCasesOfAnUninterruptedRun() throws Exception {
    // each case measures for at least 1.5 s: the kill lands well inside the third case even on a starved machine
    Path plan = plan("plan.yaml", "1.5");
    Path killed = tmp.resolve("killed");
    Process p = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench",
        "run", plan.toString(), "--backend", "onnx", "--out", killed.toString(), "--threads", "1").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (var err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null && !line.startsWith("[2/4]")) { /* wait for the second case */ }
      assertThat(line).as("the run reported its second case").isNotNull();
    }
    p.destroyForcibly(); // SIGKILL, like kill -9
    p.waitFor(30, TimeUnit.SECONDS);
    List<String> ids = PlanFile.read(plan).cases().stream().map(TestCase::id).toList();
    long finishedBefore = ids.stream().filter(id -> Files.exists(killed.resolve("cases").resolve(id).resolve("result.json"))).count();
    assertThat(finishedBefore).isBetween(2L, 3L);
    String firstEvents = Files.readString(killed.resolve("cases").resolve(ids.get(0)).resolve("events.jsonl"));

    Cli resumed = Cli.run("run", "--resume", killed.toString(), "--backend", "onnx");
    Cli fresh = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", tmp.resolve("fresh").toString());

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("resuming: " + finishedBefore + " of 4");
    assertThat(testNames(killed)).isEqualTo(testNames(tmp.resolve("fresh"))).containsExactlyElementsOf(ids);
    assertThat(Files.readString(killed.resolve("cases").resolve(ids.get(0)).resolve("events.jsonl"))).isEqualTo(firstEvents);
    assertThat(fresh.exitCode()).isZero();
  }

  private static List<String> testNames(Path run) throws Exception {
    return Files.readAllLines(run.resolve("summary.csv")).stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).toList();
  }

  @Test
  void aDamagedCaseFallsBackToItsStoredResultAndTheOthersStillReport() throws Exception {
    Path out = tmp.resolve("run");
    assertThat(Cli.run("run", plan("plan.yaml").toString(), "--backend", "onnx", "--out", out.toString()).exitCode()).isZero();
    String summary = Files.readString(out.resolve("summary.csv"));
    Path damaged = Files.list(out.resolve("cases")).sorted().findFirst().orElseThrow().resolve("events.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(damaged));
    lines.set(3, "garbage");
    Files.write(damaged, lines);

    Cli r = Cli.run("report", out.toString(), "--format", "csv");

    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).contains(damaged + " line 4").contains("keeping its stored result.json");
    assertThat(r.out()).isEqualTo(summary);
  }

  @Test
  void aResumedRunKeepsItsOptionsAndRefusesConflictingOnes() throws Exception {
    Path out = tmp.resolve("run");
    assertThat(Cli.run("run", plan("plan.yaml").toString(), "--backend", "onnx", "--lifecycle", "spot", "--out", out.toString())
        .exitCode()).isZero();

    Cli conflicting = Cli.run("run", "--resume", out.toString(), "--lifecycle", "ondemand");
    Cli same = Cli.run("run", "--resume", out.toString());

    assertThat(conflicting.exitCode()).isEqualTo(2);
    assertThat(conflicting.err()).contains("--lifecycle spot");
    assertThat(same.exitCode()).as(same.err()).isZero();
    assertThat(same.err()).contains("backend onnx-cpu");
    assertThat(Files.readString(out.resolve("summary.csv"))).contains(",spot,");
  }

  @Test
  void aMissingPlanIsAUsageError() {
    Cli r = Cli.run("run", tmp.resolve("nope.yaml").toString(), "--backend", "onnx");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("nope.yaml").contains("does not exist");
  }

  @Test
  void anUnknownBackendIsAUsageError() {
    Cli r = Cli.run("run", plan("p.yaml").toString(), "--backend", "tensorrt", "--out", tmp.resolve("x").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"tensorrt\"").contains("onnx, torch");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void theDiffusersBackendWithoutAPipelineFolderIsAUsageError() {
    Cli r = Cli.run("run", plan("d.yaml").toString(), "--backend", "diffusers", "--out", tmp.resolve("d").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--weights");
    assertThat(tmp.resolve("d")).doesNotExist();
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
