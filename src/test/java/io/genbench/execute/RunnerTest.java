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
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RunnerTest {
  private static final TestCase SD = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase SDXL = TestCase.diffusion(Model.SDXL, "g5.xlarge", 4, 20, new Resolution(1024, 1024), Precision.FLOAT32);
  private static final TestCase SD_B4 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final Plan PLAN = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(SD, SDXL, SD_B4));

  @TempDir
  Path tmp;

  private final Map<String, CaseResult> results = new HashMap<>();

  private Runner runner(Executor executor, RunDirectory dir) {
    return RecordingRunner.of(executor, dir, results);
  }

  @Test
  void eachCaseRecordsHowLongItHeldItsWorkerAndTheFirstAlsoTheWorkerStart() {
    long[] now = {0};
    Executor timed = new Executor() {
      @Override
      public String backend() {
        return "fake";
      }

      @Override
      public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
        now[0] += 2_000_000_000L; // the worker starts
        sink.event(new WorkerEvent.Hello(null, "fake", 1, "fake", null, null, null, "cuda", List.of(), null, "test"));
        for (TestCase c : cases) {
          now[0] += 3_000_000_000L; // build, warm-up, measuring
          FakeExecutor.success(c, 1_000_000_000L).forEach(sink::event);
        }
      }
    };
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));
    Runner runner = new Runner(timed, dir, io.genbench.cost.PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null),
        id -> {
          RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
          return "SUCCESS";
        }, new Progress(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), false, () -> now[0]));

    runner.run(new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(SD, SD_B4)));

    List<WorkerEvent> first = dir.readEvents(SD.id());
    List<WorkerEvent> second = dir.readEvents(SD_B4.id());
    assertThat(first.get(first.size() - 2)).isEqualTo(new WorkerEvent.Timing(SD.id(), 5_000_000_000L, 2_000_000_000L));
    assertThat(second.get(second.size() - 2)).isEqualTo(new WorkerEvent.Timing(SD_B4.id(), 3_000_000_000L, null));
    assertThat(second.getLast()).isInstanceOf(WorkerEvent.Done.class);
  }

  @Test
  void aGroupRunInAKeptWorkerCarriesItsHelloAndRecordsNoStart() {
    long[] now = {0};
    var hello = new WorkerEvent.Hello(null, "fake", 1, "fake", null, null, null, "cuda", List.of(), null, "kept-host");
    Executor kept = new Executor() {
      private boolean up;

      @Override
      public String backend() {
        return "fake";
      }

      @Override
      public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
        if (up) {
          sink.helloAgain(hello, null);
        } else {
          now[0] += 2_000_000_000L; // the worker starts, once
          sink.event(hello);
          up = true;
        }
        for (TestCase c : cases) {
          now[0] += 3_000_000_000L;
          FakeExecutor.success(c, 1_000_000_000L).forEach(sink::event);
        }
      }
    };
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));
    Runner runner = new Runner(kept, dir, io.genbench.cost.PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null),
        id -> {
          RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
          return "SUCCESS";
        }, new Progress(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), false, () -> now[0]));

    runner.run(new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(SD, SDXL)));

    List<WorkerEvent> first = dir.readEvents(SD.id());
    List<WorkerEvent> second = dir.readEvents(SDXL.id());
    assertThat(first.get(first.size() - 2)).isEqualTo(new WorkerEvent.Timing(SD.id(), 5_000_000_000L, 2_000_000_000L));
    assertThat(second.get(second.size() - 2)).isEqualTo(new WorkerEvent.Timing(SDXL.id(), 3_000_000_000L, null));
    assertThat(second).filteredOn(WorkerEvent.Hello.class::isInstance).singleElement()
        .satisfies(h -> assertThat(((WorkerEvent.Hello) h).hostname()).isEqualTo("kept-host"));
  }

  @Test
  void groupsCasesByModelSoEachModelIsBuiltOnce() {
    var executor = new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L));

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(PLAN);

    assertThat(executor.groups).containsExactly(List.of(SD.id(), SD_B4.id()), List.of(SDXL.id()));
  }

  @Test
  void ordersEachModelGroupByPrecisionSoTheWorkerBuildsEachOnce() {
    var fp32 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT32);
    var executor = new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L));

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(new Plan(null, Settings.DEFAULT, List.of(SD, fp32, SD_B4)));

    assertThat(executor.groups).containsExactly(List.of(fp32.id(), SD.id(), SD_B4.id()));
  }

  @Test
  void reportsGpuOutOfMemoryAsAFindingAndGoesOn() {
    var executor = new FakeExecutor(c -> c == SDXL ? FakeExecutor.failure(c, FailureKind.GPU_OUT_OF_MEMORY) : FakeExecutor.success(c, 2_000_000_000L));

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(PLAN);

    assertThat(results.get(SDXL.id()).status()).isEqualTo(CaseStatus.OOM_SKIPPED);
    assertThat(results.get(SDXL.id()).failure().kind()).isEqualTo(FailureKind.GPU_OUT_OF_MEMORY);
    assertThat(results.get(SDXL.id()).failure().kind().isFinding()).isTrue();
    assertThat(results.get(SD_B4.id()).status()).isEqualTo(CaseStatus.SUCCESS);
  }

  @Test
  void eachCaseLogStartsWithItsSpecPriceAndTheWorkersHello() {
    var dir = RunDirectory.create(tmp.resolve("run"));

    runner(new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L)), dir).run(PLAN);

    List<WorkerEvent> events = dir.readEvents(SDXL.id());
    assertThat(events.get(0)).isInstanceOfSatisfying(WorkerEvent.CaseSpec.class,
        s -> assertThat(s.spec().batchSize()).isEqualTo(4));
    assertThat(events.get(1)).isInstanceOfSatisfying(WorkerEvent.Priced.class, p -> {
      assertThat(p.lifecycle()).isEqualTo("spot");
      assertThat(p.spotUsdPerHour()).isNotNull();
      assertThat(p.source()).isEqualTo("catalog");
    });
    assertThat(events.get(2)).isInstanceOf(WorkerEvent.Hello.class);
    assertThat(events.getLast()).isInstanceOf(WorkerEvent.Done.class);
  }

  @Test
  void successfulCasesAreCostedFromTheirMeasuredTimeAndLoad() {
    runner(new FakeExecutor(c -> FakeExecutor.success(c, 4_000_000_000L)), RunDirectory.create(tmp.resolve("run"))).run(PLAN);

    CaseResult r = results.get(SD_B4.id());
    assertThat(r.timePerImageS()).isEqualTo(1.0);
    // g5.xlarge spot 0.4024 $/h * (1000 * 1.0 s + 1.0 s load) / 3600
    var cost = (io.genbench.result.CaseResult.ImageCost) r.cost(); // a diffusion case is priced per 1000 images
    assertThat(cost.cost1000ImagesSpotUsd()).isEqualByComparingTo(
        io.genbench.cost.CostModel.round(java.math.BigDecimal.valueOf(0.4024 * 1001 / 3600)));
    assertThat(cost.cost1000ImagesActualUsd()).isEqualByComparingTo(cost.cost1000ImagesSpotUsd());
    assertThat(r.memory().gpuMemoryGb()).isEqualTo(3.0);
  }

  @Test
  void resumeSkipsFinishedCasesAndKeepsAnInterruptedAttempt() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"));
    runner(new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L)), dir).run(new Plan(null, Settings.DEFAULT, List.of(SD)));
    // a killed attempt at SDXL: events but no result.json
    try (var log = dir.startCase(SDXL.id())) {
      log.append(new WorkerEvent.Loaded(SDXL.id(), 1, "random", 1L, Map.of()));
    }
    List<String> ran = new ArrayList<>();

    runner(new FakeExecutor(c -> {
      ran.add(c.id());
      return FakeExecutor.success(c, 1_000_000_000L);
    }), RunDirectory.open(writePlan(dir))).run(PLAN);

    assertThat(ran).containsExactlyInAnyOrder(SD_B4.id(), SDXL.id());
    assertThat(Files.exists(dir.caseDir(SDXL.id()).resolve("events.interrupted-1.jsonl"))).isTrue();
    assertThat(dir.isDone(SDXL.id())).isTrue();
  }

  @Test
  void anExecutorThatThrowsFailsItsGroupAndTheSweepGoesOn() {
    var executor = new FakeExecutor(c -> {
      if (c == SDXL) throw new java.io.UncheckedIOException(new java.io.IOException("pipe broke"));
      return FakeExecutor.success(c, 1_000_000_000L);
    });

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(PLAN);

    assertThat(results.get(SDXL.id()).failure().kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
    assertThat(results.get(SDXL.id()).failure().message()).contains("pipe broke");
    assertThat(results.get(SD.id()).status()).isEqualTo(CaseStatus.SUCCESS);
    assertThat(results.get(SD_B4.id()).status()).isEqualTo(CaseStatus.SUCCESS);
  }

  @Test
  void anExecutorThatForgetsACaseStillGetsItRecordedAsFailed() {
    var executor = new FakeExecutor(c -> List.of(new WorkerEvent.Loaded(c.id(), 1, "random", 1L, Map.of())));

    runner(executor, RunDirectory.create(tmp.resolve("run"))).run(new Plan(null, Settings.DEFAULT, List.of(SD, SD_B4)));

    assertThat(results.values()).extracting(CaseResult::status).containsOnly(CaseStatus.FAILED);
    assertThat(results).containsKeys(SD.id(), SD_B4.id());
  }

  @Test
  void aCaseOnOneGpuOfAnEightGpuInstancePaysAnEighth() {
    var dir = RunDirectory.create(tmp.resolve("run"));
    var onP5 = TestCase.diffusion(Model.SDXL, "p5.48xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);

    runner(new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L)), dir).run(new Plan(null, Settings.DEFAULT, List.of(onP5)));

    var price = dir.readEvents(onP5.id()).stream().filter(e -> e instanceof WorkerEvent.Priced).map(e -> (WorkerEvent.Priced) e)
        .findFirst().orElseThrow();
    assertThat(price.gpuShare()).isEqualTo(0.125);
    assertThat(price.ondemandUsdPerHour()).isCloseTo(55.04 / 8, org.assertj.core.data.Offset.offset(1e-9));
  }

  private static Path writePlan(RunDirectory dir) {
    RunDirectory.writeAtomic(dir.file(RunDirectory.PLAN), "cases: []\n");
    return dir.root();
  }
}
