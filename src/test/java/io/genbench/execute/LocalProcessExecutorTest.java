package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LocalProcessExecutorTest {
  private static final TestCase FIRST = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT32);
  private static final TestCase SECOND = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 2, 2, new Resolution(64, 64), Precision.FLOAT32);
  private static final Settings QUICK = new Settings(1, 2, 3, 0, 600, 42);

  @TempDir
  Path tmp;

  /** A stand-in worker: a shell script in place of the interpreter, acting out one way of dying on the first case. */
  private LocalProcessExecutor scripted(String onFirstCase) throws Exception {
    return scripted(onFirstCase, Ticker.SYSTEM);
  }

  /**
   * A clock that runs an hour ahead with every reading while the scripted worker hangs (the process whose pid it wrote
   * to {@code hung-pid} is alive): the timeout fires there, and only there, however slow a loaded machine is.
   */
  private Ticker jumpsWhileHung() {
    Path pidFile = tmp.resolve("hung-pid");
    var offset = new java.util.concurrent.atomic.AtomicLong();
    return () -> {
      if (hungWorkerAlive(pidFile)) offset.addAndGet(3_600_000_000_000L);
      return System.nanoTime() + offset.get();
    };
  }

  private static boolean hungWorkerAlive(Path pidFile) {
    try {
      return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).map(ProcessHandle::isAlive).orElse(false);
    } catch (java.io.IOException | NumberFormatException e) {
      return false;
    }
  }

  private LocalProcessExecutor scripted(String onFirstCase, Ticker ticker) throws Exception {
    Path script = tmp.resolve("fake-python");
    Files.writeString(script, """
        #!/usr/bin/env bash
        echo "$$" >> "%1$s/started"
        echo "worker up" >&2
        echo "{\\"type\\":\\"hello\\",\\"worker_version\\":\\"fake\\",\\"protocol\\":1,\\"device\\":\\"cuda\\",\\"pid\\":$$}"
        n=0
        while read -r job; do
          for id in $(grep -o '"id" : "[^"]*"' "$job" | sed 's/.*: "\\(.*\\)"/\\1/'); do
            echo "building $id" >&2
            echo "{\\"type\\":\\"loaded\\",\\"case_id\\":\\"$id\\",\\"load_ns\\":5,\\"weights\\":\\"random\\"}"
            if [ ! -f "%1$s/died" ]; then touch "%1$s/died"; %2$s; fi
            echo "{\\"type\\":\\"sample\\",\\"case_id\\":\\"$id\\",\\"iteration\\":0,\\"phase\\":\\"measure\\",\\"e2e_ns\\":100,\\"text_encode_ns\\":1,\\"step_ns\\":[10,10],\\"decode_ns\\":1,\\"images\\":1}"
            echo "{\\"type\\":\\"done\\",\\"case_id\\":\\"$id\\"}"
          done
          n=$((n + 1))
          echo "job $n over" >&2
          echo "genbench_worker: end of job $n" >&2
          echo "{\\"type\\":\\"job_done\\",\\"job\\":\\"$job\\",\\"jobs\\":$n,\\"cases\\":1}"
        done
        """.formatted(tmp, onFirstCase));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new LocalProcessExecutor(new LocalProcessExecutor.Config(script.toString(), tmp, tmp.resolve("jobs"), false, null, null, "torch"),
        ticker);
  }

  private Path scriptedPath() {
    return tmp.resolve("fake-python");
  }

  private LocalProcessExecutor scriptedFresh(String onFirstCase) throws Exception {
    scripted(onFirstCase);
    return new LocalProcessExecutor(new LocalProcessExecutor.Config(scriptedPath().toString(), tmp, tmp.resolve("jobs"), false, null,
        null, "torch", true), Ticker.SYSTEM);
  }

  /** The pids of the scripted workers started, in order. */
  private List<Long> startedPids() throws java.io.IOException {
    Path f = tmp.resolve("started");
    return Files.exists(f) ? Files.readAllLines(f).stream().map(String::trim).map(Long::parseLong).toList() : List.of();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Arms the scripted worker's {@code onFirstCase} action (written {@code [ -f arm ] && …}) for the next case it runs. */
  private void armNextCase() throws java.io.IOException {
    Files.deleteIfExists(tmp.resolve("died"));
    Files.writeString(tmp.resolve("arm"), "");
  }

  private String whenArmed(String action) {
    return "if [ -f %s/arm ]; then %s; fi".formatted(tmp, action);
  }

  private static FailureKind failureOf(RecordingSink sink, TestCase c) {
    return sink.ofType(WorkerEvent.Failed.class).stream().filter(f -> f.caseId().equals(c.id())).map(WorkerEvent.Failed::kind)
        .findFirst().orElse(null);
  }

  @Test
  void aWorkerKilledBySigkillIsAnOomSignalAndANewWorkerTakesTheRest() throws Exception {
    var sink = new RecordingSink();

    scripted("kill -9 $$").execute(List.of(FIRST, SECOND), QUICK, sink);

    assertThat(failureOf(sink, FIRST)).isEqualTo(FailureKind.OOM_SIGNAL);
    assertThat(failureOf(sink, SECOND)).isNull();
    assertThat(sink.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(FIRST.id(), SECOND.id());
    assertThat(sink.ofType(WorkerEvent.Hello.class)).hasSize(2);
    assertThat(sink.logs).anyMatch(l -> l.contains("building " + FIRST.id()));
    assertThat(sink.logs).anyMatch(l -> l.startsWith(FIRST.id() + ": ") && l.contains("exited with code 137"));
  }

  @Test
  void callsOfOneExecutorRunInOneKeptWorkerAndEveryCallsCasesGetItsHello() throws Exception {
    var executor = scripted("true");
    var first = new RecordingSink();
    var second = new RecordingSink();

    executor.execute(List.of(FIRST), QUICK, first);
    executor.execute(List.of(SECOND), QUICK, second);

    assertThat(executor.workersStarted()).isEqualTo(1);
    assertThat(startedPids()).hasSize(1);
    long pid = startedPids().getFirst();
    assertThat(first.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(FIRST.id());
    assertThat(second.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(SECOND.id());
    // the second call saw no hello from the worker (it said it once): the executor handed it the kept one
    assertThat(first.hellosAgain).isZero();
    assertThat(second.hellosAgain).isEqualTo(1);
    assertThat(second.events.getFirst()).isInstanceOf(WorkerEvent.Hello.class);
    assertThat(first.lines.getFirst()).isEqualTo(second.lines.getFirst()).contains("\"pid\":" + pid);
    assertThat(second.ofType(WorkerEvent.JobDone.class)).isEmpty();
    // a job's last log line reaches its own call, never the next one
    assertThat(first.logs).contains(FIRST.id() + ": job 1 over");
    assertThat(second.logs).contains(SECOND.id() + ": job 2 over").noneMatch(l -> l.contains("job 1 over"));
    assertThat(alive(pid)).isTrue();

    executor.close();

    assertThat(alive(pid)).isFalse();
    executor.close(); // twice is harmless
  }

  @Test
  void aPrestartedWorkerServesTheFirstCallWithItsOwnHelloAndStartLog() throws Exception {
    var executor = scripted("true");

    executor.prestart();
    executor.prestart(); // once
    var sink = new RecordingSink();
    executor.execute(List.of(FIRST), QUICK, sink);
    executor.close();

    assertThat(executor.workersStarted()).isEqualTo(1);
    assertThat(sink.hellosAgain).isZero();
    assertThat(sink.ofType(WorkerEvent.Hello.class)).hasSize(1);
    assertThat(sink.logs).contains(FIRST.id() + ": worker up");
    assertThat(failureOf(sink, FIRST)).isNull();
    assertThat(startedPids()).singleElement().satisfies(p -> assertThat(alive(p)).isFalse());
  }

  @Test
  void aPrestartedWorkerThatNeverGotAJobIsEndedWithoutWaitingForItsGrace() throws Exception {
    Path script = tmp.resolve("slow-python");
    Files.writeString(script, """
        #!/usr/bin/env bash
        echo "$$" >> "%1$s/started"
        sleep 60  # still importing: stdin's end is not read for a minute
        """.formatted(tmp));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    var executor = new LocalProcessExecutor(new LocalProcessExecutor.Config(script.toString(), tmp, tmp.resolve("jobs"), false, null, null, "torch"),
        Ticker.SYSTEM);
    executor.prestart();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Files.exists(tmp.resolve("started")) && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(tmp.resolve("started")).exists();

    long t0 = System.nanoTime();
    executor.close();
    long closeMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(startedPids()).singleElement().satisfies(p -> assertThat(alive(p)).isFalse());
    assertThat(closeMs).isLessThan(4_000);  // a worker with a job gets 5 s to exit on its own; this one had none
  }

  @Test
  void aKeptWorkerThatDiesBetweenCallsIsReplacedByANewOne() throws Exception {
    var executor = scripted("true");
    executor.execute(List.of(FIRST), QUICK, new RecordingSink());
    long pid = startedPids().getFirst();
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    var sink = new RecordingSink();

    executor.execute(List.of(SECOND), QUICK, sink);
    executor.close();

    assertThat(failureOf(sink, SECOND)).isNull();
    assertThat(sink.ofType(WorkerEvent.Sample.class)).extracting(WorkerEvent::caseId).containsExactly(SECOND.id());
    assertThat(executor.workersStarted()).isEqualTo(2);
    assertThat(sink.hellosAgain).isZero(); // the new worker's own hello, not the dead one's
    assertThat(startedPids()).hasSize(2).allSatisfy(p -> assertThat(alive(p)).isFalse());
  }

  @Test
  void aKeptWorkerKilledMidCaseInALaterCallCostsThatCaseAndANewWorkerRunsTheRest() throws Exception {
    var executor = scripted(whenArmed("kill -9 $$"));
    var third = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 2, new Resolution(64, 64), Precision.FLOAT32);
    executor.execute(List.of(FIRST), QUICK, new RecordingSink());
    armNextCase();
    var sink = new RecordingSink();

    executor.execute(List.of(SECOND, third), QUICK, sink);
    Files.delete(tmp.resolve("arm"));
    var later = new RecordingSink();
    executor.execute(List.of(FIRST), QUICK, later);
    executor.close();

    assertThat(failureOf(sink, SECOND)).isEqualTo(FailureKind.OOM_SIGNAL);
    assertThat(failureOf(sink, third)).isNull();
    assertThat(sink.ofType(WorkerEvent.Sample.class)).extracting(WorkerEvent::caseId).containsExactly(third.id());
    assertThat(sink.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(SECOND.id(), third.id());
    assertThat(sink.logs).anyMatch(l -> l.startsWith(SECOND.id() + ": ") && l.contains("exited with code 137"));
    // the replacement is kept in turn: the next call runs in it, with its hello handed again
    assertThat(executor.workersStarted()).isEqualTo(2);
    assertThat(later.hellosAgain).isEqualTo(1);
    assertThat(failureOf(later, FIRST)).isNull();
  }

  @Test
  void aKeptWorkerThatHangsInALaterCallTimesOutThatCaseOnly() throws Exception {
    var executor = scripted(whenArmed("echo $$ > %s/hung-pid; sleep 600".formatted(tmp)), jumpsWhileHung());
    var third = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 2, new Resolution(64, 64), Precision.FLOAT32);
    var slow = new Settings(0, 1, 1, 0, 1800, 42);
    executor.execute(List.of(FIRST), slow, new RecordingSink());
    armNextCase();
    var sink = new RecordingSink();

    executor.execute(List.of(SECOND, third), slow, sink);
    executor.close();

    assertThat(failureOf(sink, SECOND)).isEqualTo(FailureKind.TIMEOUT);
    assertThat(failureOf(sink, third)).isNull();
    assertThat(sink.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(SECOND.id(), third.id());
    assertThat(executor.workersStarted()).isEqualTo(2);
    assertThat(startedPids()).allSatisfy(p -> assertThat(alive(p)).isFalse());
  }

  @Test
  void freshWorkersStartOneWorkerPerCallAndEndItWhenTheCallReturns() throws Exception {
    var executor = scriptedFresh("true");

    executor.execute(List.of(FIRST), QUICK, new RecordingSink());
    long firstPid = startedPids().getFirst();
    boolean aliveAfterCall = alive(firstPid);
    var second = new RecordingSink();
    executor.execute(List.of(SECOND), QUICK, second);

    assertThat(aliveAfterCall).isFalse();
    assertThat(executor.workersStarted()).isEqualTo(2);
    assertThat(second.hellosAgain).isZero();
    assertThat(second.ofType(WorkerEvent.Hello.class)).hasSize(1);
    assertThat(startedPids()).hasSize(2).allSatisfy(p -> assertThat(alive(p)).isFalse());
  }

  @Test
  void aSegfaultIsAnOomSigsegv() throws Exception {
    var sink = new RecordingSink();

    scripted("kill -SEGV $$").execute(List.of(FIRST, SECOND), QUICK, sink);

    assertThat(failureOf(sink, FIRST)).isEqualTo(FailureKind.OOM_SIGSEGV);
    assertThat(failureOf(sink, SECOND)).isNull();
  }

  @Test
  void aHungWorkerCostsOneCaseAndAFreshWorkerRunsTheRest() throws Exception {
    var sink = new RecordingSink();
    var third = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 2, new Resolution(64, 64), Precision.FLOAT32);

    // the timeout is half an hour of the test's clock, which jumps while the first case hangs: no race with a slow machine
    scripted("echo $$ > %s/hung-pid; sleep 600".formatted(tmp), jumpsWhileHung()).execute(List.of(FIRST, SECOND, third), new Settings(0, 1, 1, 0, 1800, 42), sink);

    assertThat(failureOf(sink, FIRST)).isEqualTo(FailureKind.TIMEOUT);
    assertThat(failureOf(sink, SECOND)).isNull();
    assertThat(failureOf(sink, third)).isNull();
    assertThat(sink.ofType(WorkerEvent.Sample.class)).extracting(WorkerEvent::caseId).containsExactly(SECOND.id(), third.id());
    assertThat(sink.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(FIRST.id(), SECOND.id(), third.id());
    assertThat(sink.ofType(WorkerEvent.Hello.class)).hasSize(2);
    assertThat(sink.logs).anyMatch(l -> l.startsWith(FIRST.id() + ": ") && l.contains("killed after timeout_s"));
  }

  @Test
  void aWorkerThatHangsBeforeItsFirstEventIsATimeoutToo() throws Exception {
    Path script = tmp.resolve("hanging-build");
    Files.writeString(script, "#!/usr/bin/env bash\necho '{\"type\":\"hello\",\"device\":\"cuda\"}'\necho 'building the model' >&2\n"
        + "echo $$ > " + tmp.resolve("hung-pid") + "\nexec sleep 600\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    var executor = new LocalProcessExecutor(new LocalProcessExecutor.Config(script.toString(), tmp, tmp.resolve("jobs"), false, null, null, "torch"),
        jumpsWhileHung());
    var sink = new RecordingSink();

    executor.execute(List.of(FIRST), new Settings(0, 1, 1, 0, 1800, 42), sink);

    assertThat(failureOf(sink, FIRST)).isEqualTo(FailureKind.TIMEOUT);
    assertThat(sink.logs).anyMatch(l -> l.equals(FIRST.id() + ": building the model"));
  }

  @Test
  void aReaderWhosePipeBreaksSeesTheEndOfTheStream() {
    var broken = new BoundedLines(new java.io.InputStream() {
      @Override
      public int read() throws java.io.IOException {
        throw new java.io.IOException("Stream closed");
      }

      @Override
      public int read(byte[] buf, int off, int len) throws java.io.IOException {
        throw new java.io.IOException("Stream closed");
      }
    }, BoundedLines.EVENT_LINE_BYTES);

    assertThat(LocalProcessExecutor.readLine(broken)).isNull();
  }

  @Test
  void aWorkerThatCannotStartFailsEveryCaseWithItsLastLogLine() throws Exception {
    Path script = tmp.resolve("broken-python");
    Files.writeString(script, "#!/usr/bin/env bash\necho 'ModuleNotFoundError: No module named torch' >&2\nexit 1\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    var executor = new LocalProcessExecutor(new LocalProcessExecutor.Config(script.toString(), tmp, tmp.resolve("jobs"), false, null, null, "torch"),
        Ticker.SYSTEM);
    var sink = new RecordingSink();

    executor.execute(List.of(FIRST, SECOND), QUICK, sink);

    assertThat(sink.ofType(WorkerEvent.Failed.class)).hasSize(2).allSatisfy(f -> {
      assertThat(f.kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
      assertThat(f.message()).contains("No module named torch");
    });
  }

  @Test
  void exitCodesOfSignalsAreClassifiedAsTheSeedDoes() {
    assertThat(LocalProcessExecutor.kindOfExit(137)).isEqualTo(FailureKind.OOM_SIGNAL);
    assertThat(LocalProcessExecutor.kindOfExit(139)).isEqualTo(FailureKind.OOM_SIGSEGV);
    assertThat(LocalProcessExecutor.kindOfExit(1)).isEqualTo(FailureKind.WORKER_ERROR);
  }

  /** The real worker, end to end, on the tiny SD configuration (CPU, Debian's torch in CI). */
  @Test
  void theRealWorkerRunsATinyModelEndToEnd() {
    String python = realPython();
    var executor = new LocalProcessExecutor(new LocalProcessExecutor.Config(python, Path.of("worker/src").toAbsolutePath(),
        tmp.resolve("jobs"), true, null, null, "torch"), Ticker.SYSTEM);
    var sink = new RecordingSink();
    var oom = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT16);

    executor.execute(List.of(FIRST, oom, SECOND), QUICK, sink);

    assertThat(failureOf(sink, FIRST)).isNull();
    assertThat(failureOf(sink, SECOND)).isNull();
    var samples = sink.ofType(WorkerEvent.Sample.class);
    assertThat(samples).filteredOn(s -> s.caseId().equals(SECOND.id())).hasSizeBetween(2, 3)
        .allSatisfy(s -> {
          assertThat(s.stepNs()).hasSize(2);
          assertThat(s.images()).isEqualTo(2);
        });
    assertThat(sink.ofType(WorkerEvent.Loaded.class)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(sink.ofType(WorkerEvent.Memory.class)).isNotEmpty();
    assertThat(sink.ofType(WorkerEvent.Done.class)).hasSize(3);
    assertThat(sink.ofType(WorkerEvent.Hello.class)).singleElement().satisfies(h -> assertThat(h.torch()).isNotBlank());
    executor.close();
  }

  /** Two models, one after the other, in one real worker process: one start, one hello pid, and nothing left after close. */
  @Test
  void theRealWorkerRunsTwoModelsInOneProcess() throws Exception {
    String python = realPython();
    var executor = new LocalProcessExecutor(new LocalProcessExecutor.Config(python, Path.of("worker/src").toAbsolutePath(),
        tmp.resolve("jobs"), true, null, null, "torch"), Ticker.SYSTEM);
    var llm = TestCase.llm(Model.OPT_125M, "g5.xlarge", 1, Precision.FLOAT32, 8, 4);
    var sd = new RecordingSink();
    var opt = new RecordingSink();
    var again = new RecordingSink();

    executor.execute(List.of(FIRST), QUICK, sd);
    executor.execute(List.of(llm), QUICK, opt);
    executor.execute(List.of(SECOND), QUICK, again);
    long pid = Json.MAPPER.readTree(sd.lines.getFirst()).path("pid").asLong();
    executor.close();

    assertThat(executor.workersStarted()).isEqualTo(1);
    assertThat(pid).isPositive();
    for (var sink : List.of(sd, opt, again)) {
      assertThat(sink.ofType(WorkerEvent.Failed.class)).isEmpty();
      assertThat(sink.ofType(WorkerEvent.Sample.class)).isNotEmpty();
      assertThat(sink.ofType(WorkerEvent.Hello.class)).singleElement().satisfies(h -> assertThat(h.torch()).isNotBlank());
      assertThat(Json.MAPPER.readTree(sink.lines.getFirst()).path("pid").asLong()).isEqualTo(pid);
    }
    // the SD model was evicted for OPT (one model kept), so it is built again, reporting its first build
    var loadedAgain = Json.MAPPER.readTree(again.lines.stream().filter(l -> l.contains("\"type\":\"loaded\"")).findFirst().orElseThrow());
    assertThat(loadedAgain.path("reused").asBoolean(true)).isFalse();
    assertThat(loadedAgain.path("load_ns").asLong()).isEqualTo(sd.ofType(WorkerEvent.Loaded.class).getFirst().loadNs());
    assertThat(alive(pid)).isFalse();
  }

  @Test
  void findingTorchReadsItsVersionWithoutImportingItAndSaysWhereItIsMissing() {
    String python = realPython();
    var found = io.genbench.env.HostCommand.run(List.of(python, "-c", LocalProcessExecutor.FIND_TORCH), java.util.Map.of(),
        java.time.Duration.ofSeconds(60), true).orElseThrow();
    var imported = io.genbench.env.HostCommand.run(List.of(python, "-c", "import torch; print(torch.__version__)"),
        java.util.Map.of(), java.time.Duration.ofSeconds(120), true).orElseThrow();
    assertThat(found.exit()).isZero();
    assertThat(found.out().trim()).isEqualTo(imported.out().trim().lines().reduce((a, b) -> b).orElseThrow());

    // the same interpreter without site-packages (-S) or the environment (-I): no torch to find
    var missing = io.genbench.env.HostCommand.run(List.of(python, "-I", "-S", "-c", LocalProcessExecutor.FIND_TORCH),
        java.util.Map.of(), java.time.Duration.ofSeconds(60), true).orElseThrow();
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.out()).contains("No module named 'torch'");
  }

  static String realPython() {
    try {
      return LocalProcessExecutor.findPython(System.getenv("GENBENCH_PYTHON"));
    } catch (UserError e) {
      assumeThat(System.getenv("GENBENCH_REQUIRE_WORKER")).as("no Python with torch: " + e.getMessage()).isNull();
      throw new org.opentest4j.TestAbortedException(e.getMessage());
    }
  }
}
