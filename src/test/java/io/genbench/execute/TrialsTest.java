package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.cost.PriceCatalog;
import io.genbench.measure.CaseAnalyzer;
import io.genbench.measure.Measurements;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --trials N}: each trial a fresh execute (a fresh worker), interleaved, and the trials' agreement reported. */
final class TrialsTest {
  private static final TestCase A = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 4, new Resolution(512, 512), Precision.FLOAT16);
  private static final TestCase B = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 2, 4, new Resolution(512, 512), Precision.FLOAT16);
  private static final TestCase C = TestCase.diffusion(Model.SDXL, "g5.xlarge", 1, 4, new Resolution(1024, 1024), Precision.FLOAT16);
  private static final Plan PLAN = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(A, B, C));

  @TempDir
  Path tmp;

  private final Map<String, CaseResult> results = new HashMap<>();
  private final List<String> finishedOrder = new ArrayList<>();

  private Runner runner(Executor executor, RunDirectory dir) {
    return new Runner(executor, dir, PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null), id -> {
      CaseResult r = CaseAnalyzer.analyze(id, Measurements.of(dir.readEvents(id)), List.of());
      results.put(id, r);
      finishedOrder.add(id);
      RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
      return r.status().name();
    }, new Progress(new PrintStream(new ByteArrayOutputStream()), false, Ticker.SYSTEM));
  }

  /** Ten samples around {@code e2eNs} (±1 %), the same in every trial unless the script says otherwise. */
  private static List<WorkerEvent> samples(TestCase c, long e2eNs) {
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.Loaded(c.id(), 1_000_000_000L, "random", 10L, Map.of("unet", 10L)));
    events.add(new WorkerEvent.Warmed(c.id(), 3, true, 3, 0.05, 0.01));
    for (int i = 0; i < 10; i++) events.add(FakeExecutor.sample(c, i, e2eNs + (i % 3 - 1) * e2eNs / 100));
    events.add(new WorkerEvent.Memory(c.id(), 1L, 2L, "cuda", "cuda", null));
    events.add(new WorkerEvent.Done(c.id()));
    return events;
  }

  @Test
  void everyTrialIsAFreshExecuteAndTrialsAreInterleaved() {
    var executor = new FakeExecutor(c -> samples(c, 100_000_000L));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));

    runner(executor, dir).run(PLAN, 3);

    // trial 1 of every group, then trial 2 of every group, ...: A B C, A B C, A B C
    assertThat(executor.groups).containsExactly(List.of(A.id(), B.id()), List.of(C.id()), List.of(A.id(), B.id()),
        List.of(C.id()), List.of(A.id(), B.id()), List.of(C.id()));
    assertThat(finishedOrder).containsExactly(A.id(), B.id(), C.id());
    List<WorkerEvent> events = dir.readEvents(A.id());
    assertThat(events.stream().filter(e -> e instanceof WorkerEvent.Trial).map(e -> ((WorkerEvent.Trial) e).trial()))
        .containsExactly(1, 2, 3);
    assertThat(events.stream().filter(e -> e instanceof WorkerEvent.Hello)).hasSize(3);
    CaseResult r = results.get(A.id());
    assertThat(r.iterations()).isEqualTo(30);
    assertThat(r.trials().n()).isEqualTo(3);
    assertThat(r.trials().e2eMediansMs()).containsExactly(100.0, 100.0, 100.0);
    assertThat(r.trials().disagree()).isFalse();
    assertThat(r.verdict().label()).isEqualTo("VALID");
  }

  @Test
  void trialsThatDisagreeBeyondTheirOwnSpreadMakeTheCaseInvalid() {
    int[] call = {0};
    // the host changes between trials: the second trial of every case runs 60 % slower
    var executor = new FakeExecutor(c -> samples(c, c.equals(A) && call[0]++ == 1 ? 160_000_000L : 100_000_000L));

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(PLAN, 3);

    CaseResult a = results.get(A.id());
    assertThat(a.trials().e2eMediansMs()).containsExactly(100.0, 160.0, 100.0);
    assertThat(a.trials().spreadPct()).isEqualTo(60.0);
    assertThat(a.trials().disagree()).isTrue();
    assertThat(a.trials().ciLowMs()).isLessThan(100.0);
    assertThat(a.trials().ciHighMs()).isGreaterThan(160.0);
    assertThat(a.verdict().valid()).isFalse();
    assertThat(a.verdict().notes()).anySatisfy(n -> assertThat(n).startsWith("trials disagree: 3 trials, medians 100.0 / 160.0 / 100.0 ms"));
    assertThat(results.get(B.id()).trials().disagree()).isFalse();
  }

  @Test
  void aCaseThatFailsInATrialIsFinishedThereAndNotRunAgain() {
    int[] calls = {0};
    var executor = new FakeExecutor(c -> c.equals(C) && calls[0]++ == 0 ? FakeExecutor.failure(c, FailureKind.GPU_OUT_OF_MEMORY)
        : samples(c, 100_000_000L));

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(PLAN, 2);

    assertThat(executor.groups).containsExactly(List.of(A.id(), B.id()), List.of(C.id()), List.of(A.id(), B.id()));
    assertThat(results.get(C.id()).status().name()).isEqualTo("OOM_SKIPPED");
    assertThat(results.get(A.id()).trials().n()).isEqualTo(2);
  }
}
