package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.plan.Attention;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.Knobs;
import io.genbench.plan.TestCase;
import io.genbench.plan.Toggle;
import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent;
import io.genbench.wire.WorkerJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CASE object, one record from the plan to the worker: both sides read it the same way. */
final class WorkerCaseTest {
  private static final TestCase SD = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 2, 20, new Resolution(512, 512), Precision.FLOAT16);

  /** Reads the job with the worker's own {@code Case}; prints its cases back and the defaults of its measure group. */
  private static final String READ_JOB = """
      import dataclasses, json, sys
      from genbench_worker.case import Case, Measure
      job = json.load(open(sys.argv[1]))
      cases = [Case.from_dict(c).to_dict() for c in job["cases"]]
      defaults = {f.name: f.default for f in dataclasses.fields(Measure) if f.default is not dataclasses.MISSING}
      print(json.dumps({"cases": cases, "defaults": defaults}))
      """;

  @TempDir
  Path tmp;

  @Test
  void theDefaultSettingsAreThePythonCaseDefaults() throws Exception {
    WorkerCase c = Executor.workerCase(SD, Settings.DEFAULT, false, null, null, "torch");

    JsonNode defaults = readWithTheWorker(WorkerJob.of(List.of(c))).path("defaults");

    JsonNode java = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(c)).path("measure");
    for (String field : List.of("warmup_iterations", "max_warmup_iterations", "max_warmup_s", "steady_tolerance", "steady_window",
        "min_iterations", "max_iterations", "min_duration_s", "seed", "target_ci_pct", "max_measure_s")) {
      assertThat(java.path(field).asDouble()).as(field).isEqualTo(defaults.path(field).asDouble());
    }
  }

  @Test
  void theWorkerReadsTheJobFieldForField() throws Exception {
    var llm = TestCase.llm(Model.OPT_125M, "g5.xlarge", 1, Precision.FLOAT32, 128, 64)
        .withKnobs(new Knobs(Attention.SDPA, Toggle.OFF, false, Toggle.OFF));
    var job = WorkerJob.of(List.of(Executor.workerCase(SD, Settings.DEFAULT, true, null, null, "torch"),
        Executor.workerCase(llm, Settings.DEFAULT, false, "/weights", "/images", "diffusers")));

    JsonNode read = readWithTheWorker(job).path("cases");

    assertThat(read).isEqualTo(Json.MAPPER.readTree(job.toJson()).path("cases"));
    assertThat(read.get(1).path("workload")).as("an LLM case holds only its workload's fields")
        .isEqualTo(Json.MAPPER.readTree("{\"kind\":\"llm\",\"prompt_tokens\":128,\"output_tokens\":64}"));
  }

  @Test
  void theCaseEventStoresTheCaseTheWorkerRuns() {
    WorkerCase c = Executor.workerCase(SD, Settings.DEFAULT, false, null, null, "torch");

    var parsed = (WorkerEvent.CaseSpec) WorkerEvent.parse(
        WorkerEvent.toLine(new WorkerEvent.CaseSpec(SD.id(), c)));

    assertThat(parsed.spec()).isEqualTo(c);
  }

  private JsonNode readWithTheWorker(WorkerJob job) throws Exception {
    Path file = tmp.resolve("job.json");
    Files.writeString(file, job.toJson());
    var pb = new ProcessBuilder(LocalProcessExecutorTest.realPython(), "-c", READ_JOB, file.toString()).redirectErrorStream(true);
    pb.environment().put("PYTHONPATH", Path.of("worker/src").toAbsolutePath().toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return Json.MAPPER.readTree(out);
  }
}
