package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench run --gpus}: bad values, and a real two-worker run of the tiny models on the CPU. */
final class RunGpusTest {
  @TempDir Path tmp;

  private Path plan() {
    Path plan = tmp.resolve("plan.yaml");
    Cli p = Cli.run("plan", "--mode", "comparison", "--models", "stabilityai/stable-diffusion-2-1",
        "stabilityai/stable-diffusion-xl-base-1.0", "--instance-types", "m7i.large", "--batch-sizes", "1", "--resolutions",
        "64x64", "--inference-steps", "2", "--precisions", "float32", "--warmup", "1", "--min-iterations", "3",
        "--max-iterations", "5", "--min-duration", "0.1", "--output", plan.toString());
    assertThat(p.exitCode()).as(p.err()).isZero();
    return plan;
  }

  @Test
  void aGpuListThatIsNotIndexesExits2NamingTheValueAndTheForm() {
    Cli r = Cli.run("run", plan().toString(), "--backend", "torch", "--gpus", "0,x", "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--gpus \"0,x\"").contains("\"x\" is not a GPU index").contains("e.g. 0,1");
    assertThat(tmp.resolve("run")).doesNotExist();
  }

  @Test
  void aGpuNamedTwiceExits2() {
    Cli r = Cli.run("run", plan().toString(), "--backend", "torch", "--gpus", "1,1", "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("GPU 1 is named twice");
  }

  @Test
  void gpusWithTheEmbeddedBackendExits2NamingTheBackendsThatCan() {
    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--gpus", "0,1", "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("backend onnx").contains("--backend torch or diffusers");
    assertThat(tmp.resolve("run")).doesNotExist();
  }

  @Test
  void aRunRefusedAfterItsWorkersStartedLeavesNoWorkerBehind() throws Exception {
    SuiteCommandTest.requirePythonWithTorch();

    // the workers start before the plan is read: this one is refused after that
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, Files.readString(plan()).replace("batch_size: 1", "batch_size: many"));
    // this run's workers, told from other tests' by their interpreter: a script here that runs the one with torch
    String python = io.genbench.execute.LocalProcessExecutor.findPython(System.getenv("GENBENCH_PYTHON"));
    Path marked = tmp.resolve("python-of-the-refused-run");
    Files.writeString(marked, "#!/bin/bash\n" + python + " \"$@\"\n");
    marked.toFile().setExecutable(true);

    Cli r = Cli.run("run", bad.toString(), "--backend", "torch", "--tiny", "--gpus", "0,1", "--python", marked.toString(),
        "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("batch_size");
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<String> left;
    do {
      left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
          .map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains(marked.toString())).toList();
      if (!left.isEmpty()) Thread.sleep(50);
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertThat(left).as("workers still running after the refused run").isEmpty();
    assertThat(tmp.resolve("run")).doesNotExist();
  }

  @Test
  void twoWorkersRunThePlanSayWhereEachCaseRanAndMeasureTheInterference() throws Exception {
    SuiteCommandTest.requirePythonWithTorch();
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan().toString(), "--backend", "torch", "--tiny", "--gpus", "0,1", "--out", out.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("one worker per GPU on 2 GPUs (0, 1)").contains("neighbour interference: measuring");
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    // gpu and neighbours_max are the last two columns (earlier ones may hold quoted commas)
    assertThat(csv.getFirst()).endsWith(",gpu,neighbours_max");
    java.util.function.Function<String, String> gpuOf = l -> l.split(",", -1)[l.split(",", -1).length - 2];
    java.util.function.Function<String, String> neighboursOf = l -> l.substring(l.lastIndexOf(',') + 1);
    // two model groups, one per GPU: each GPU ran one of them
    List<String> gpus = csv.stream().skip(1).map(gpuOf).toList();
    assertThat(gpus).hasSize(2).containsExactlyInAnyOrder("0", "1");
    assertThat(csv.stream().skip(1).map(neighboursOf)).allMatch(n -> n.equals("0") || n.equals("1"));
    String report = Files.readString(out.resolve("report.md"));
    // the quickest case that ran beside the other worker was measured alone, and the report compares the two
    try (var dirs = Files.list(out.resolve("interference/cases"))) {
      List<Path> alone = dirs.toList();
      if (csv.stream().skip(1).map(neighboursOf).anyMatch(n -> n.equals("1"))) {
        assertThat(alone).hasSize(1);
        assertThat(alone.getFirst().resolve("result.json")).exists();
        assertThat(report).contains("## Neighbour interference").contains("e2e p50 alone, ms")
            .containsPattern("(slower|faster|no significant difference) beside neighbours");
      }
    }
    assertThat(Files.readString(out.resolve("run-options.json"))).contains("\"gpus\" : \"0,1\"");
    // each worker's log begins with when the controller started it; the first case of each of the two workers says when
    // the controller sent it its first job and when the worker read it
    try (var cases = Files.list(out.resolve("cases"))) {
      int firstJobs = 0;
      for (Path c : cases.toList()) {
        List<String> log = Files.readAllLines(c.resolve("worker.log"));
        assertThat(log.getFirst()).matches("genbench: worker process started [0-9]+\\.[0-9]{2} s after the JVM's start .*");
        if (log.stream().anyMatch(l -> l.matches("genbench: first job sent to the worker [0-9]+\\.[0-9]{2} s after the JVM's start"))) {
          firstJobs++;
          assertThat(log).anyMatch(l -> l.matches("genbench_worker: first job read [0-9]+\\.[0-9]{2} s after start, [0-9]+\\.[0-9]{2} s after hello"));
        }
      }
      assertThat(firstJobs).isEqualTo(2);
    }

    // a resumed run keeps its GPUs and runs nothing again, not even the interference check
    Cli resumed = Cli.run("run", "--resume", out.toString());
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.err()).doesNotContain("neighbour interference: measuring");
    Cli other = Cli.run("run", "--resume", out.toString(), "--gpus", "0");
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("started with --gpus 0,1");
  }
}
