package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.store.RunDirectory;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults of the run directory: damaged logs, two runs at once, kills at every stage, a full disk, a read-only one. */
final class RunFaultsTest {
  @TempDir
  Path tmp;

  private Path plan() {
    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "m7i.large", "--batch-sizes", "1", "2", "--resolutions",
        "64x64", "128x128", "--inference-steps", "2", "--precisions", "float32", "--warmup", "1", "--min-iterations", "3",
        "--max-iterations", "1000", "--min-duration", "0.2", "--output", plan.toString()).exitCode()).isZero();
    return plan;
  }

  private Path finishedRun() {
    Path out = tmp.resolve("run");
    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--out", out.toString(), "--threads", "1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    return out;
  }

  private static List<Path> cases(Path run) throws Exception {
    try (Stream<Path> s = Files.list(run.resolve("cases"))) {
      return s.sorted().toList();
    }
  }

  private static List<String> statuses(Path run) throws Exception {
    return Files.readAllLines(run.resolve("summary.csv")).stream().skip(1).map(l -> l.substring(l.lastIndexOf(',') + 1)).toList();
  }

  private static List<Path> leftovers(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp") || p.getFileName().toString().contains(".creating-")).toList();
    }
  }

  @Test
  void aTornLastLineKeepsTheStoredSuccessAndNamesTheLine() throws Exception {
    Path out = finishedRun();
    String summary = Files.readString(out.resolve("summary.csv"));
    Path events = cases(out).getFirst().resolve("events.jsonl");
    String all = Files.readString(events);
    int lines = all.split("\n").length;
    Files.writeString(events, all.substring(0, all.length() - 8)); // the done line torn mid-write

    Cli r = Cli.run("report", out.toString(), "--format", "csv");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(summary);
    assertThat(r.err()).contains(events + " line " + lines).contains("torn").contains("keeping its stored result.json (SUCCESS)");
    assertThat(events.resolveSibling("result.json")).content().contains("\"SUCCESS\"");
  }

  @Test
  void aSecondRunOnTheSameDirectoryExits2NamingTheProcessThatHoldsIt() throws Exception {
    Path out = finishedRun();

    try (var held = RunDirectory.open(out).lock()) {
      Cli second = Cli.run("run", "--resume", out.toString());

      assertThat(second.exitCode()).isEqualTo(2);
      assertThat(second.err()).contains("in use by process " + ProcessHandle.current().pid());
    }
    assertThat(Cli.run("run", "--resume", out.toString()).exitCode()).isZero(); // released with the first
  }

  @Test
  void aSecondProcessOnTheSameDirectoryExits2NamingTheFirst() throws Exception {
    Path out = finishedRun();

    try (var held = RunDirectory.open(out).lock()) {
      String javaBin = ProcessHandle.current().info().command().orElse("java");
      Process second = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench", "run",
          "--resume", out.toString()).redirectErrorStream(true).start();
      String output = new String(second.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

      assertThat(second.waitFor()).as(output).isEqualTo(2);
      assertThat(output).contains("in use by process " + ProcessHandle.current().pid());
    }
    try (Stream<Path> s = Files.list(out.resolve("cases").resolve(cases(out).getFirst().getFileName()))) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("events.interrupted"));
    }
  }

  @Test
  void anInterruptedRunPrintsTheCommandThatResumesIt() throws Exception {
    Path plan = tmp.resolve("slow.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "m7i.large", "--batch-sizes", "1", "2", "--resolutions",
        "64x64", "--inference-steps", "2", "--precisions", "float32", "--warmup", "1", "--min-iterations", "3",
        "--max-iterations", "100000", "--min-duration", "30", "--output", plan.toString()).exitCode()).isZero();
    Path out = tmp.resolve("interrupted");
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench", "run",
        plan.toString(), "--backend", "onnx", "--out", out.toString(), "--threads", "1").redirectErrorStream(true).start();
    var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null && !line.startsWith("genbench: running")) { /* wait until it runs */ }
    assertThat(line).as("the run started").isNotNull();

    p.toHandle().destroy(); // SIGTERM, as Ctrl-C's SIGINT, the shutdown hooks run (Process.destroy would close our pipe)
    StringBuilder rest = new StringBuilder();
    while ((line = lines.readLine()) != null) rest.append(line).append('\n');
    p.waitFor();

    assertThat(rest.toString()).contains("Resume with: genbench run --resume " + out);
    assertThat(out.resolve("plan.yaml")).exists();
  }

  @Test
  void aKillAtEveryStageResumesWithNoFinishedCaseLostOrRepeated() throws Exception {
    Path plan = plan();
    // killed before the run directory was complete: only a hidden staging directory is left, and the run starts anew
    Files.createDirectories(tmp.resolve(".run.creating-999999/cases"));
    Path out = tmp.resolve("run");
    assertThat(Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString(), "--threads", "1").exitCode()).isZero();
    List<Path> cases = cases(out);
    List<String> before = new ArrayList<>();
    for (Path c : cases) before.add(Files.readString(c.resolve("events.jsonl")));
    // killed between cases: case 0 has its events and done, no result.json yet
    Files.delete(cases.get(0).resolve("result.json"));
    // killed during a case: case 1 has half its events, no done
    List<String> half = Files.readAllLines(cases.get(1).resolve("events.jsonl"));
    Files.write(cases.get(1).resolve("events.jsonl"), half.subList(0, half.size() / 2));
    Files.delete(cases.get(1).resolve("result.json"));
    // killed during the views: they are gone, a temporary file is left
    for (String f : List.of("summary.csv", "results.json", "report.md")) Files.delete(out.resolve(f));
    Files.writeString(out.resolve(".summary.csv123.tmp"), "half");

    Cli resumed = Cli.run("run", "--resume", out.toString());

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("repaired case " + cases.get(0).getFileName()).contains("resuming: 3 of 4");
    assertThat(statuses(out)).containsExactly("SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS");
    // nothing finished was run again: the events of cases 0, 2 and 3 are exactly what they were
    for (int i : new int[] {0, 2, 3}) assertThat(cases.get(i).resolve("events.jsonl")).hasContent(before.get(i));
    assertThat(cases.get(1).resolve("events.interrupted-1.jsonl")).exists();
    assertThat(out.resolve("report.md")).exists();
  }

  @Test
  void aFullDiskNamesTheFileExitsOneAndLosesNoMeasuredCase() throws Exception {
    Path plan = plan();
    Path out = tmp.resolve("run");
    Cli full;
    try (var seam = RunDirectory.useWriter((file, content) -> {
      if (file.getFileName().toString().startsWith(".result.json")) throw new FileSystemException(file.toString(), null, "No space left on device");
      Files.writeString(file, content);
    })) {
      full = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString(), "--threads", "1");
    }

    assertThat(full.exitCode()).isEqualTo(1);
    assertThat(full.err()).contains("result.json").contains("No space left on device").contains("Free space")
        .contains("--resume").doesNotContain("internal error");
    assertThat(leftovers(tmp)).isEmpty();
    Cli resumed = Cli.run("run", "--resume", out.toString());
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("repaired case").contains("resuming: 4 of 4");
    assertThat(statuses(out)).containsExactly("SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS");
  }

  @Test
  void aReadOnlyOutputDirectoryNamesTheFileAndLeavesNothingBehind() throws Exception {
    Path plan = plan();
    Path parent = Files.createDirectories(tmp.resolve("readonly"));
    Path out = parent.resolve("run");
    boolean root = "root".equals(System.getProperty("user.name"));
    Cli r;
    if (!root) {
      parent.toFile().setWritable(false);
      try {
        r = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString());
      } finally {
        parent.toFile().setWritable(true);
      }
    } else {
      // root writes through chmod: refuse every write the way a read-only directory does
      try (var seam = RunDirectory.useWriter((file, content) -> {
        throw new AccessDeniedException(file.toString());
      })) {
        r = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString());
      }
    }

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains(parent.toString()).contains("permission denied").contains("writable").doesNotContain("internal error");
    assertThat(out).doesNotExist();
    assertThat(leftovers(tmp)).isEmpty();
  }

  @Test
  void retryFailedRunsAgainRunFailuresButNeverFindings() throws Exception {
    Path out = finishedRun();
    List<Path> cases = cases(out);
    fail(cases.get(0), "timeout", "TIMEOUT");
    fail(cases.get(1), "gpu_out_of_memory", "OOM_SKIPPED");

    Cli r = Cli.run("run", "--resume", out.toString(), "--retry-failed");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("retrying case " + cases.get(0).getFileName()).doesNotContain("retrying case " + cases.get(1).getFileName());
    assertThat(cases.get(0).resolve("result.failed-1.json")).exists();
    assertThat(cases.get(0).resolve("result.json")).content().contains("\"SUCCESS\"");
  }

  private static void fail(Path caseDir, String kind, String status) throws Exception {
    ObjectNode result = (ObjectNode) Json.MAPPER.readTree(caseDir.resolve("result.json").toFile());
    result.put("status", status);
    ObjectNode failure = result.putObject("failure");
    failure.put("kind", kind);
    failure.put("message", "scripted");
    failure.putArray("log_tail");
    Files.writeString(caseDir.resolve("result.json"), Json.PRETTY.writeValueAsString(result));
    // the events agree with it: a recomputation must not undo the failure before --retry-failed sees it
    Files.writeString(caseDir.resolve("events.jsonl"), "{\"type\":\"failed\",\"case_id\":\"" + caseDir.getFileName() + "\",\"kind\":\""
        + kind + "\",\"message\":\"scripted\"}\n{\"type\":\"done\",\"case_id\":\"" + caseDir.getFileName() + "\"}\n");
  }
}
