package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.cost.PriceCatalog;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ProgressTest {
  private long now;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, () -> now);

  @TempDir
  Path tmp;

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void eachFinishedCaseShowsTheElapsedTimeAndAnEtaFromTheCasesSoFar() {
    progress.start(4, 1, 1); // resumed: one case finished earlier, it does not count towards the pace
    progress.caseStarted("a");
    now += 10_000_000_000L;
    progress.caseFinished("a", "SUCCESS", 0);
    progress.caseStarted("b");
    now += 20_000_000_000L;
    progress.caseFinished("b", "SUCCESS", 0);

    assertThat(lines()).containsExactly(
        "resuming: 1 of 4 cases already finished, skipping them",
        "[2/4] a SUCCESS (10.0 s; elapsed 0:10, ETA 0:20)",
        "[3/4] b SUCCESS (20.0 s; elapsed 0:30, ETA 0:15)");
  }

  @Test
  void withTrialsTheCounterCountsCasesAndTheEtaCountsTrials() {
    progress.start(2, 0, 3);
    for (int trial = 1; trial <= 3; trial++) {
      for (String id : List.of("a", "b")) {
        progress.caseStarted(id);
        now += 10_000_000_000L;
        if (trial < 3) progress.trialFinished(id, trial);
        else progress.caseFinished(id, "SUCCESS", 0);
      }
    }

    List<String> lines = lines();
    // never more cases finished than there are, and "done" only once the last trial ended
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).isEqualTo("[0/2] a trial 1 of 3 done (10.0 s; elapsed 0:10, ETA 0:50)");
    assertThat(lines.get(1)).isEqualTo("[0/2] b trial 1 of 3 done (10.0 s; elapsed 0:20, ETA 0:40)");
    assertThat(lines.get(4)).isEqualTo("[1/2] a SUCCESS (10.0 s; elapsed 0:50, ETA 0:10)");
    assertThat(lines.get(5)).isEqualTo("[2/2] b SUCCESS (10.0 s; elapsed 1:00, done)");
  }

  @Test
  void aCaseThatFailsInItsFirstTrialFinishesItsShareOfThePace() {
    progress.start(2, 0, 3);
    progress.caseStarted("a");
    now += 10_000_000_000L;
    progress.caseFinished("a", "FAILED", 2);

    // a's three trials are over: three of six pieces of work in 10 s, three left
    assertThat(lines()).containsExactly("[1/2] a FAILED (10.0 s; elapsed 0:10, ETA 0:10)");
  }

  @Test
  void aCaseSkippedUpFrontIsNamedWithoutACounterOrAClock() {
    now = 882_000_000_000L; // the machine's uptime, which is not this run's elapsed time
    progress.skipped("x", "SKIPPED (float16 is not supported by the onnx backend)");

    assertThat(lines()).containsExactly("skipped x: SKIPPED (float16 is not supported by the onnx backend)");
  }

  private static final TestCase A = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 4, new Resolution(512, 512), Precision.FLOAT32);
  private static final TestCase B = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 4, new Resolution(512, 512), Precision.FLOAT16);

  private Runner runner(Executor executor, RunDirectory dir) {
    return new Runner(executor, dir, PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null), id -> {
      RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
      return "SUCCESS";
    }, progress);
  }

  private static List<WorkerEvent> samples(TestCase c) {
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.Loaded(c.id(), 1_000_000_000L, "random", 10L, Map.of("unet", 10L)));
    for (int i = 0; i < 3; i++) events.add(FakeExecutor.sample(c, i, 100_000_000L));
    events.add(new WorkerEvent.Done(c.id()));
    return events;
  }

  @Test
  void aFreshRunWithASkippedCaseNeitherResumesNorCountsIt() {
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));
    Runner runner = runner(new FakeExecutor(ProgressTest::samples), dir);
    Plan plan = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(A, B));

    runner.skip(plan, Map.of(B.id(), "float16 is not supported by the onnx backend"));
    runner.run(plan, 3);

    List<String> lines = lines();
    assertThat(lines).noneMatch(l -> l.startsWith("resuming"));
    assertThat(lines.getFirst()).isEqualTo("skipped " + B.id() + ": SUCCESS");
    // A alone is counted, three trials, and "N/1" never exceeds its total
    assertThat(lines.subList(1, lines.size())).hasSize(3).allMatch(l -> l.startsWith("[0/1] " + A.id()) || l.startsWith("[1/1] " + A.id()));
    assertThat(lines.getLast()).startsWith("[1/1] " + A.id() + " SUCCESS").contains("done)");
  }

  @Test
  void withExpectationsTheEtaIsThereFromTheStartAndFollowsThePaceOfTheFinishedCases() {
    progress.start(3, 0, 1);
    progress.expect(Map.of("a", 10.0, "b", 30.0, "c", 20.0), 1);

    String before = progress.timing();
    progress.caseStarted("a");
    now += 5_000_000_000L;
    String inFlight = progress.timing();
    // a took 20 s where 10 were expected: the rest is expected to take longer too, by (20 + 20) / (10 + 20), the pace
    // shrunk towards 1 by one average case (20 s); after b (60 s of 30) by (80 + 20) / (40 + 20)
    now += 15_000_000_000L;
    progress.caseFinished("a", "SUCCESS", 0);
    progress.caseStarted("b");
    now += 60_000_000_000L;
    progress.caseFinished("b", "SUCCESS", 0);

    assertThat(before).isEqualTo("elapsed 0:00, ETA 1:00");
    assertThat(inFlight).isEqualTo("elapsed 0:05, ETA 0:55");
    assertThat(lines()).containsExactly(
        "[1/3] a SUCCESS (20.0 s; elapsed 0:20, ETA 1:07)",
        "[2/3] b SUCCESS (60.0 s; elapsed 1:20, ETA 0:33)");
  }

  @Test
  void aCaseThatRunsPastItsExpectationLeavesTheEtaAtTheRestNotBelowIt() {
    progress.start(2, 0, 1);
    progress.expect(Map.of("a", 10.0, "b", 30.0), 1);

    progress.caseStarted("a");
    now += 25_000_000_000L;

    assertThat(progress.timing()).isEqualTo("elapsed 0:25, ETA 0:30");
  }

  @Test
  void withSeveralSlotsThePaceComparesEachEndedTrialWithItsOwnExpectation() {
    progress.start(4, 0, 1);
    progress.expect(Map.of("a", 10.0, "b", 10.0, "c", 10.0, "d", 10.0), 2);

    progress.caseStarted("a");
    progress.caseStarted("b");
    now += 10_000_000_000L; // a took what it was expected to, while b ran beside it
    progress.caseFinished("a", "SUCCESS", 0);

    // c and d, 10 s each, over two slots; b has run its 10 s: 10 s left
    assertThat(lines()).containsExactly("[1/4] a SUCCESS (10.0 s; elapsed 0:10, ETA 0:10)");
  }

  @Test
  void longRunsShowHours() {
    assertThat(Progress.clock(3_725_000_000_000L)).isEqualTo("1:02:05");
  }
}
