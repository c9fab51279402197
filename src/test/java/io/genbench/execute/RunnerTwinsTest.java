package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.plan.TestMatrix;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.store.RunDirectory;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A piece of work is measured once on one device; its twins are recorded from it and priced as their own instance types. */
final class RunnerTwinsTest {
  private static final TestCase G6E = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT16);
  private static final TestCase G5 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT16);
  private static final TestCase OTHER = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 2, new Resolution(64, 64), Precision.FLOAT16);

  @TempDir
  Path tmp;

  private final Map<String, CaseResult> results = new HashMap<>();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Counts the cases it executes; each succeeds. */
  private final List<String> executed = new ArrayList<>();

  private FakeExecutor counting(java.util.function.Function<TestCase, List<WorkerEvent>> script) {
    return new FakeExecutor(c -> {
      executed.add(c.id());
      return script.apply(c);
    });
  }

  private Runner runner(Executor ex, RunDirectory dir, Plan plan) {
    Runner r = new Runner(ex, dir, io.genbench.cost.PriceCatalog.bundled(),
        new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null), id -> {
          CaseResult res = io.genbench.measure.CaseAnalyzer.analyze(id, io.genbench.measure.Measurements.of(dir.readEvents(id)),
              dir.logTail(id, 20));
          results.put(id, res);
          RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
          return res.status().name();
        }, new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), false, Ticker.SYSTEM));
    return r.measuringOnce(Twins.of(plan.cases()));
  }

  @Test
  void theComparisonPlanExecutesHalfItsCasesAndRecordsEveryOtherOnePricedAsItsOwnInstanceType() {
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, TestMatrix.of(Mode.COMPARISON).cases(t -> OptionalDouble.of(48)));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));

    int ran = runner(counting(c -> FakeExecutor.success(c, 50_000_000L)), dir, plan).run(plan);

    assertThat(plan.cases()).hasSize(16);
    assertThat(executed).hasSize(8).doesNotHaveDuplicates();
    assertThat(ran).isEqualTo(8);
    assertThat(results).hasSize(16);
    var twins = Twins.of(plan.cases());
    for (TestCase c : plan.cases()) {
      CaseResult r = results.get(c.id());
      assertThat(r.status()).as(c.id()).isEqualTo(CaseStatus.SUCCESS);
      assertThat(r.where().pricedAs()).as(c.id()).isEqualTo(c.instanceType());
      assertThat(r.where().pricedElsewhere()).as(c.id()).isTrue();
      assertThat(r.where().measuredAs()).as(c.id()).isEqualTo(twins.measuredAs(c.id()));
      assertThat(executed.contains(c.id())).as(c.id()).isEqualTo(!twins.isTwin(c.id()));
    }
    String log = err.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("measuring 8 cases once: 8 more are the same work priced as another instance type")
        .contains("[8/8]").doesNotContain("[9/");
  }

  @Test
  void onSeveralGpusEachPieceOfWorkIsStillMeasuredOnce() {
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, TestMatrix.of(Mode.COMPARISON).cases(t -> OptionalDouble.of(48)));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    Executor ex = new FakeExecutor(c -> {
      seen.add(c.id());
      return FakeExecutor.success(c, 50_000_000L);
    });

    runner(ex, dir, plan).run(plan, 1, List.of(new Runner.Slot("0", ex), new Runner.Slot("1", ex)));

    assertThat(seen).hasSize(8).doesNotHaveDuplicates();
    assertThat(results).hasSize(16);
    assertThat(plan.cases()).allSatisfy(c -> assertThat(dir.isDone(c.id())).as(c.id()).isTrue());
  }

  @Test
  void aTwinHasItsOwnCaseAndPriceTheMarkerAndTheMeasuredCasesEventsUnderItsOwnId() throws Exception {
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(G6E, G5));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));

    runner(counting(c -> FakeExecutor.success(c, 50_000_000L)), dir, plan).run(plan);

    assertThat(executed).containsExactly(G6E.id());
    List<WorkerEvent> measured = dir.readEvents(G6E.id());
    List<WorkerEvent> twin = dir.readEvents(G5.id());
    assertThat(twin.get(0)).isInstanceOfSatisfying(WorkerEvent.CaseSpec.class, s -> assertThat(s.spec().instanceType()).isEqualTo("g5.xlarge"));
    assertThat(twin.get(1)).isInstanceOfSatisfying(WorkerEvent.Priced.class, p -> assertThat(p.pricedAs()).isEqualTo("g5.xlarge"));
    assertThat(twin.get(2)).isEqualTo(new WorkerEvent.MeasuredAs(G5.id(), G6E.id()));
    assertThat(twin.subList(3, twin.size())).hasSize(measured.size() - 2).allSatisfy(e -> assertThat(e.caseId()).isIn(G5.id(), null));
    assertThat(WorkerEvent.toLine(twin.get(4)).replace(G5.id(), G6E.id())).isEqualTo(WorkerEvent.toLine(measured.get(3)));
    // the same time, priced per instance type: g6e.xlarge and g5.xlarge cost differently per hour
    CaseResult a = results.get(G6E.id());
    CaseResult b = results.get(G5.id());
    assertThat(b.timePerImageS()).isEqualTo(a.timePerImageS());
    assertThat(b.run().price()).isNotNull().isNotEqualTo(a.run().price());
    assertThat(b.cost()).isNotNull().isNotEqualTo(a.cost());
    assertThat(Files.readString(dir.caseDir(G5.id()).resolve(RunDirectory.WORKER_LOG)))
        .contains("same work as " + G6E.id()).contains("running " + G6E.id());
  }

  @Test
  void aRunKilledAfterTheMeasuredCaseResumesByOnlyCopyingIt() throws Exception {
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(G6E, G5, OTHER));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));
    // the first run measured G6E and OTHER, then died while it copied G5 (an empty event log, no result)
    new Runner(counting(c -> FakeExecutor.success(c, 50_000_000L)), dir, io.genbench.cost.PriceCatalog.bundled(),
        new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null),
        id -> {
          RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
          return "SUCCESS";
        }, new Progress(new PrintStream(new ByteArrayOutputStream()), false, Ticker.SYSTEM))
        .run(new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(G6E, OTHER)));
    dir.startCase(G5.id()).close();
    executed.clear();

    int ran = runner(counting(c -> FakeExecutor.success(c, 50_000_000L)), dir, plan).run(plan);

    assertThat(ran).isZero();
    assertThat(executed).isEmpty();
    assertThat(dir.isDone(G5.id())).isTrue();
    assertThat(results.get(G5.id()).status()).isEqualTo(CaseStatus.SUCCESS);
    assertThat(results.get(G5.id()).where().measuredAs()).isEqualTo(G6E.id());
    assertThat(dir.caseDir(G5.id()).resolve("events.interrupted-1.jsonl")).exists();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("resuming: 2 of 2 cases already finished")
        .contains("priced " + G5.id() + " from " + G6E.id());
  }

  @Test
  void withTrialsTheTwinIsCopiedAfterTheLastTrialAndHasEveryTrial() {
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(G6E, G5));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));

    runner(counting(c -> FakeExecutor.success(c, 50_000_000L)), dir, plan).run(plan, 3);

    assertThat(executed).containsExactly(G6E.id(), G6E.id(), G6E.id());
    var twin = io.genbench.measure.Measurements.of(dir.readEvents(G5.id()));
    assertThat(twin.trials()).isEqualTo(3);
    assertThat(twin.samplesByTrial()).containsOnlyKeys(1, 2, 3);
    assertThat(twin.samples()).hasSize(6);
    assertThat(results.get(G5.id()).status()).isEqualTo(CaseStatus.SUCCESS);
  }

  @Test
  void aMeasuredCaseThatFailsGivesItsTwinsTheSameFailureMarkedAsMeasuredAsIt() {
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(G6E, OTHER, G5));
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));

    runner(counting(c -> c.equals(G6E) ? FakeExecutor.failure(c, FailureKind.WORKER_ERROR) : FakeExecutor.success(c, 50_000_000L)),
        dir, plan).run(plan, 2);

    assertThat(executed).containsExactly(G6E.id(), OTHER.id(), OTHER.id());
    CaseResult twin = results.get(G5.id());
    assertThat(twin.status()).isEqualTo(CaseStatus.FAILED);
    assertThat(twin.failure().kind()).isEqualTo(FailureKind.WORKER_ERROR);
    assertThat(twin.failure().message()).isEqualTo(results.get(G6E.id()).failure().message());
    assertThat(twin.where().measuredAs()).isEqualTo(G6E.id());
    assertThat(results.get(OTHER.id()).where().measuredAs()).isNull();
  }
}
