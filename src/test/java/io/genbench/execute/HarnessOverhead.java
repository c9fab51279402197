package io.genbench.execute;

import io.genbench.Json;
import io.genbench.cost.PriceCatalog;
import io.genbench.execute.onnx.OnnxExecutor;
import io.genbench.measure.CaseAnalyzer;
import io.genbench.measure.Measurements;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's own overhead (bench/overhead runs it): what genbench adds per recorded sample and per case, against
 * an instant worker (MLPerf LoadGen's null-SUT idea), and the wall time of a real case on the embedded default.
 * Prints one line per figure; bench/RESULTS.md records them.
 */
public final class HarnessOverhead {
  private static final TestCase CASE = TestCase.diffusion(Model.SD_2_1, "m7i.large", 1, 10, new Resolution(512, 512), Precision.FLOAT32);

  public static void main(String[] args) throws Exception {
    Path tmp = Files.createTempDirectory("genbench-overhead");
    Progress quiet = new Progress(new PrintStream(new ByteArrayOutputStream()), false, Ticker.SYSTEM);
    int samplesPerCase = 20_000;
    // 1. per recorded sample: worker line -> parsed event -> runner sink -> events.jsonl (flushed), progress
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < samplesPerCase; i++) lines.add(WorkerEvent.toLine(FakeExecutor.sample(CASE, i, 500_000_000L)));
    double perSampleNs = Double.MAX_VALUE;
    double perSampleInJvmNs = Double.MAX_VALUE;
    List<WorkerEvent> objects = lines.stream().map(WorkerEvent::parse).toList();
    for (int round = 0; round < 10; round++) {
      RunDirectory inJvm = RunDirectory.create(tmp.resolve("objects-" + round));
      long s0 = System.nanoTime();
      new Runner(new ObjectReplay(objects), inJvm, PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.ONDEMAND, "us-east-1", null), id -> "", quiet)
          .run(new Plan(null, Settings.DEFAULT, List.of(CASE)));
      perSampleInJvmNs = Math.min(perSampleInJvmNs, (System.nanoTime() - s0) / (double) samplesPerCase);
      RunDirectory dir = RunDirectory.create(tmp.resolve("samples-" + round));
      Executor replay = new LineReplay(lines);
      long t0 = System.nanoTime();
      new Runner(replay, dir, PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.ONDEMAND, "us-east-1", null), id -> "", quiet)
          .run(new Plan(null, Settings.DEFAULT, List.of(CASE)));
      perSampleNs = Math.min(perSampleNs, (System.nanoTime() - t0) / (double) samplesPerCase);
    }
    // 2. per case: open the case log, spec/price/hello events, analysis, result.json (atomic), with 10 samples each
    int cases = 300;
    double perCaseMs = Double.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      List<TestCase> distinct = new ArrayList<>();
      for (int i = 0; i < cases; i++) {
        var d = CASE.diffusion();
        distinct.add(new TestCase("c" + i, CASE.model(), CASE.instanceType(), CASE.precision(), 1,
            new io.genbench.plan.Workload.Diffusion(10, d.resolution(), null, 7.5, d.scheduler(), d.prompt()),
            io.genbench.plan.Knobs.DEFAULT, io.genbench.plan.Resources.DEFAULT));
      }
      RunDirectory dir = RunDirectory.create(tmp.resolve("cases-" + round));
      long t0 = System.nanoTime();
      new Runner(new FakeExecutor(c -> FakeExecutor.success(c, 500_000_000L)), dir, PriceCatalog.bundled(),
          new Runner.Pricing(io.genbench.cost.Lifecycle.ONDEMAND, "us-east-1", null), id -> {
            var r = CaseAnalyzer.analyze(id, Measurements.of(dir.readEvents(id)), dir.logTail(id, 20));
            try {
              RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), Json.PRETTY.writeValueAsString(r));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return "";
          }, quiet).run(new Plan(null, Settings.DEFAULT, distinct));
      perCaseMs = Math.min(perCaseMs, (System.nanoTime() - t0) / 1e6 / cases);
    }
    // 3. a real case on the embedded default, as the quickstart runs it (1 warm-up, >= 5 iterations, >= 2 s)
    var sink = new RecordingSink();
    Settings quick = new Settings(1, 5, 50, 2.0, 600, 42);
    long t0 = System.nanoTime();
    try (var onnx = new OnnxExecutor(Ticker.SYSTEM, 0)) {
      onnx.execute(List.of(CASE), quick, sink);
    }
    double caseWallMs = (System.nanoTime() - t0) / 1e6;
    int n = sink.ofType(WorkerEvent.Sample.class).size();
    double iterationMs = sink.ofType(WorkerEvent.Sample.class).stream().mapToLong(WorkerEvent.Sample::e2eNs).average().orElse(0) / 1e6;
    double overheadMs = perCaseMs + (n + 1) * perSampleNs / 1e6;
    System.out.printf(Locale.ROOT, "per recorded sample, worker process path (parse the line, append it, progress): %.2f us%n", perSampleNs / 1e3);
    System.out.printf(Locale.ROOT, "per recorded sample, in-JVM path (serialise the event, append it, progress): %.2f us%n", perSampleInJvmNs / 1e3);
    System.out.printf(Locale.ROOT, "per case (log setup, spec/price/hello, analysis, atomic result.json): %.3f ms%n", perCaseMs);
    System.out.printf(Locale.ROOT, "embedded default case %s: %.0f ms wall, %d measured iterations of %.1f ms%n", CASE.id(), caseWallMs, n, iterationMs);
    System.out.printf(Locale.ROOT, "harness overhead per iteration: %.4f %% of an iteration; per case: %.4f %% of the case's wall time%n",
        100 * perSampleNs / 1e6 / iterationMs, 100 * overheadMs / caseWallMs);
  }

  /** Hands events over as objects, as the in-JVM backend does. */
  private record ObjectReplay(List<WorkerEvent> events) implements Executor {
    @Override
    public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
      TestCase c = cases.getFirst();
      sink.event(new WorkerEvent.Loaded(c.id(), 1, "random", 1L, Map.of()));
      for (WorkerEvent e : events) sink.event(e);
      sink.event(new WorkerEvent.Done(c.id()));
    }

    @Override
    public String backend() {
      return "objects";
    }
  }

  /** Replays worker stdout lines through the parser, as the process executor does. */
  private record LineReplay(List<String> lines) implements Executor {
    @Override
    public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
      TestCase c = cases.getFirst();
      sink.event(WorkerEvent.parse("{\"type\":\"hello\",\"device\":\"cpu\"}"));
      sink.event(new WorkerEvent.Loaded(c.id(), 1, "random", 1L, Map.of()));
      for (String line : lines) sink.event(WorkerEvent.parse(line), line);
      sink.event(new WorkerEvent.Done(c.id()));
    }

    @Override
    public String backend() {
      return "replay";
    }
  }
}
