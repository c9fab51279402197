package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench run --gpus}: one worker per GPU, groups handed to whichever slot is free. */
final class RunnerSlotsTest {
  private static final TestCase SD16 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase SD16_B4 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase SD32 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT32);
  private static final TestCase XL16 = TestCase.diffusion(Model.SDXL, "g5.xlarge", 4, 20, new Resolution(1024, 1024), Precision.FLOAT16);
  private static final TestCase XL32 = TestCase.diffusion(Model.SDXL, "g5.xlarge", 4, 20, new Resolution(1024, 1024), Precision.FLOAT32);
  private static final Plan PLAN = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(SD16, SD16_B4, SD32, XL16, XL32));

  @TempDir
  Path tmp;

  private final Map<String, CaseResult> results = new ConcurrentHashMap<>();

  private Runner runner(Executor executor, RunDirectory dir) {
    return RecordingRunner.of(executor, dir, results);
  }

  /** A fake worker for one GPU: records the groups it ran; may wait at a barrier before its first group. */
  private static final class SlotExecutor implements Executor {
    final String gpu;
    final List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
    final CyclicBarrier start;
    final Map<String, AtomicInteger> running;
    final AtomicInteger overlaps;
    final boolean broken;

    SlotExecutor(String gpu, CyclicBarrier start, Map<String, AtomicInteger> running, AtomicInteger overlaps, boolean broken) {
      this.gpu = gpu;
      this.start = start;
      this.running = running;
      this.overlaps = overlaps;
      this.broken = broken;
    }

    @Override
    public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
      groups.add(cases.stream().map(TestCase::id).toList());
      boolean first = start != null && groups.size() == 1;
      if (first && broken) await();
      if (broken) throw new IllegalStateException("GPU " + gpu + " fell off the bus");
      sink.event(new WorkerEvent.Hello(null, "fake", 1, "fake", null, null, null, "cuda:" + gpu, List.of(), null, "test"));
      for (int i = 0; i < cases.size(); i++) {
        TestCase c = cases.get(i);
        AtomicInteger now = running.computeIfAbsent(c.id(), k -> new AtomicInteger());
        if (now.incrementAndGet() > 1) overlaps.incrementAndGet();
        List<WorkerEvent> events = FakeExecutor.success(c, 1_000_000_000L);
        sink.event(events.getFirst()); // the case is open from its first event
        // both slots' first cases open before either goes on, so each surely runs beside the other (on a loaded
        // machine one slot's whole first group could otherwise end before the other's first case opened)
        if (first && i == 0) await();
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        events.subList(1, events.size()).forEach(sink::event);
        now.decrementAndGet();
      }
    }

    private void await() {
      try {
        start.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String backend() {
      return "fake";
    }
  }

  private static List<WorkerEvent.Slot> slots(RunDirectory dir, String id) {
    return dir.readEvents(id).stream().filter(e -> e instanceof WorkerEvent.Slot).map(e -> (WorkerEvent.Slot) e).toList();
  }

  @Test
  void eachModelAtOnePrecisionRunsOnOneGpuLargestWorkFirstAndEveryCaseSaysWhere() {
    var dir = RunDirectory.create(tmp.resolve("run"));
    var running = new ConcurrentHashMap<String, AtomicInteger>();
    var overlaps = new AtomicInteger();
    var barrier = new CyclicBarrier(2);
    var gpu0 = new SlotExecutor("0", barrier, running, overlaps, false);
    var gpu1 = new SlotExecutor("1", barrier, running, overlaps, false);

    int ran = runner(gpu0, dir).run(PLAN, 1, List.of(new Runner.Slot("0", gpu0), new Runner.Slot("1", gpu1)));

    assertThat(ran).isEqualTo(5);
    List<List<String>> all = new ArrayList<>(gpu0.groups);
    all.addAll(gpu1.groups);
    // SD 2.1 split by precision (no extra model build); SDXL likewise
    assertThat(all).containsExactlyInAnyOrder(List.of(SD16.id(), SD16_B4.id()), List.of(SD32.id()), List.of(XL16.id()),
        List.of(XL32.id()));
    // the two largest groups (SDXL float32, then float16) start first, one on each GPU
    assertThat(List.of(gpu0.groups.getFirst(), gpu1.groups.getFirst())).containsExactlyInAnyOrder(List.of(XL32.id()), List.of(XL16.id()));
    for (TestCase c : PLAN.cases()) {
      List<WorkerEvent.Slot> s = slots(dir, c.id());
      assertThat(s).as(c.id()).hasSize(1);
      SlotExecutor ranOn = gpu0.groups.stream().anyMatch(g -> g.contains(c.id())) ? gpu0 : gpu1;
      assertThat(s.getFirst().gpu()).isEqualTo(ranOn.gpu);
      assertThat(s.getFirst().workers()).isEqualTo(2);
      List<WorkerEvent> events = dir.readEvents(c.id());
      // the controller's own lines close the case: where it ran, then how long it held the worker
      assertThat(events.get(events.size() - 3)).isInstanceOf(WorkerEvent.Slot.class);
      assertThat(events.get(events.size() - 2)).isInstanceOf(WorkerEvent.Timing.class);
      assertThat(events.getLast()).isInstanceOf(WorkerEvent.Done.class);
      assertThat(results.get(c.id()).status()).isEqualTo(CaseStatus.SUCCESS);
      assertThat(results.get(c.id()).where().beside().gpus()).isEqualTo(ranOn.gpu);
    }
    // both first cases started after both workers had started (the barrier): each ran beside the other
    assertThat(slots(dir, XL32.id()).getFirst().neighboursMax()).isEqualTo(1);
    assertThat(slots(dir, XL16.id()).getFirst().neighboursMax()).isEqualTo(1);
    assertThat(overlaps.get()).isZero();
  }

  @Test
  void trialsOfAGroupNeverOverlapAndStayInterleaved() {
    var dir = RunDirectory.create(tmp.resolve("run"));
    var running = new ConcurrentHashMap<String, AtomicInteger>();
    var overlaps = new AtomicInteger();
    var gpu0 = new SlotExecutor("0", null, running, overlaps, false);
    var gpu1 = new SlotExecutor("1", null, running, overlaps, false);
    Plan one = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(SD16, SD16_B4));

    runner(gpu0, dir).run(one, 3, List.of(new Runner.Slot("0", gpu0), new Runner.Slot("1", gpu1)));

    // one model at one precision is more than a slot's share of the run: split into its two cases, each run 3 times
    assertThat(gpu0.groups.size() + gpu1.groups.size()).isEqualTo(6);
    assertThat(overlaps.get()).isZero();
    for (TestCase c : one.cases()) {
      assertThat(dir.readEvents(c.id()).stream().filter(e -> e instanceof WorkerEvent.Trial).count()).isEqualTo(3);
      assertThat(slots(dir, c.id())).hasSize(3);
      assertThat(results.get(c.id()).trials().n()).isEqualTo(3);
    }
  }

  @Test
  void aGpuWhoseWorkerBreaksFailsOnlyItsGroupAndTheOtherGpuGoesOn() {
    var dir = RunDirectory.create(tmp.resolve("run"));
    var running = new ConcurrentHashMap<String, AtomicInteger>();
    var overlaps = new AtomicInteger();
    var barrier = new CyclicBarrier(2);
    var gpu0 = new SlotExecutor("0", barrier, running, overlaps, false);
    var gpu1 = new SlotExecutor("1", barrier, running, overlaps, true);

    runner(gpu0, dir).run(PLAN, 1, List.of(new Runner.Slot("0", gpu0), new Runner.Slot("1", gpu1)));

    assertThat(results).hasSize(5);
    long failed = results.values().stream().filter(r -> r.status() != CaseStatus.SUCCESS).count();
    assertThat(failed).isPositive();
    assertThat(results.values().stream().filter(r -> r.status() == CaseStatus.SUCCESS)).isNotEmpty();
    for (CaseResult r : results.values()) {
      if (r.status() != CaseStatus.SUCCESS) assertThat(r.failure().message()).contains("fell off the bus");
    }
  }

  @Test
  void aGroupLargerThanOneSlotsShareIsSplitAndGroupsGoLargestFirst() {
    // seconds measured earlier: SDXL float32 holds 2 of the 3 GPUs' worth of work alone
    Map<String, Double> seconds = Map.of(SD16.id(), 10.0, SD16_B4.id(), 12.0, SD32.id(), 20.0, XL16.id(), 30.0, XL32.id(), 90.0);
    var xl32b1 = TestCase.diffusion(Model.SDXL, "g5.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT32);
    Map<String, Double> more = new java.util.HashMap<>(seconds);
    more.put(xl32b1.id(), 40.0);
    List<TestCase> cases = List.of(SD16, SD16_B4, SD32, XL16, XL32, xl32b1);

    List<List<TestCase>> groups = Runner.groups(cases, 2, c -> more.get(c.id()));

    // total 202 s, share 101 s: the SDXL float32 pair (130 s) is split; the others keep their model together
    assertThat(groups).containsExactly(List.of(XL32), List.of(xl32b1), List.of(XL16), List.of(SD16, SD16_B4), List.of(SD32));
    // with four slots the share is 50.5 s: SD float16 (22 s) stays together
    assertThat(Runner.groups(cases, 4, c -> more.get(c.id()))).contains(List.of(SD16, SD16_B4));
  }

  @Test
  void withMeasuredTimesEachGpuRunsItsLongestFirstShareInOneWorkerPerTrial() {
    var dir = RunDirectory.create(tmp.resolve("run"));
    var running = new ConcurrentHashMap<String, AtomicInteger>();
    var overlaps = new AtomicInteger();
    var gpu0 = new SlotExecutor("0", null, running, overlaps, false);
    var gpu1 = new SlotExecutor("1", null, running, overlaps, false);
    Map<String, Double> seconds = Map.of(SD16.id(), 10.0, SD16_B4.id(), 12.0, SD32.id(), 20.0, XL16.id(), 30.0, XL32.id(), 60.0);

    runner(gpu0, dir).run(PLAN, 2, List.of(new Runner.Slot("0", gpu0), new Runner.Slot("1", gpu1)), c -> seconds.get(c.id()), true);

    // total 132 s, share 66: no group is split. Longest first to the least loaded: XL32 (60) -> GPU 0; XL16 (30) ->
    // GPU 1; SD float16 (22) -> GPU 1 (30 < 60); SD32 (20) -> GPU 1 (52 < 60). One worker per GPU and trial.
    assertThat(gpu0.groups).containsExactly(List.of(XL32.id()), List.of(XL32.id()));
    assertThat(gpu1.groups).containsExactly(List.of(XL16.id(), SD16.id(), SD16_B4.id(), SD32.id()),
        List.of(XL16.id(), SD16.id(), SD16_B4.id(), SD32.id()));
    assertThat(overlaps.get()).isZero();
    for (TestCase c : PLAN.cases()) assertThat(results.get(c.id()).trials().n()).isEqualTo(2);
  }

  @Test
  void theRoughEstimateRanksSdxlAboveSdAndFloat32AboveFloat16() {
    var sd768 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);
    var xl = TestCase.diffusion(Model.SDXL, "g5.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);
    var sd32 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT32);

    assertThat(Runner.work(xl)).isGreaterThan(Runner.work(sd768));
    assertThat(Runner.work(sd32)).isGreaterThan(Runner.work(xl));
    assertThat(Runner.work(SD16_B4)).isGreaterThan(Runner.work(SD16));
  }

  @Test
  void anErrorThatWouldEndAOneWorkerRunEndsThisOneAfterEverySlotStoppedAndIsNotLost() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"));
    // a file where XL32's case folder should go: its events cannot be written (as on a broken disk)
    java.nio.file.Files.createDirectories(dir.caseDir(XL32.id()).getParent());
    java.nio.file.Files.writeString(dir.caseDir(XL32.id()), "not a folder");
    var gpu0 = new SlotExecutor("0", null, new ConcurrentHashMap<>(), new AtomicInteger(), false);
    var gpu1 = new SlotExecutor("1", null, new ConcurrentHashMap<>(), new AtomicInteger(), false);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner(gpu0, dir).run(PLAN, 1,
            List.of(new Runner.Slot("0", gpu0), new Runner.Slot("1", gpu1))))
        .isInstanceOf(io.genbench.store.StorageError.class).hasMessageContaining(XL32.id());
    // the other GPU's groups all finished before the error was rethrown
    assertThat(results).containsKeys(XL16.id(), SD16.id(), SD16_B4.id(), SD32.id());
  }

  @Test
  void oneSlotRunsAsBeforeWithNoSlotEvents() {
    var dir = RunDirectory.create(tmp.resolve("run"));
    var gpu0 = new SlotExecutor("0", null, new ConcurrentHashMap<>(), new AtomicInteger(), false);

    runner(gpu0, dir).run(PLAN, 1, List.of(new Runner.Slot("0", gpu0)));

    assertThat(gpu0.groups).containsExactly(List.of(SD32.id(), SD16.id(), SD16_B4.id()), List.of(XL32.id(), XL16.id()));
    for (TestCase c : PLAN.cases()) assertThat(slots(dir, c.id())).isEmpty();
  }
}
