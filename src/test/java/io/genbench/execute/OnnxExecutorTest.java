package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import java.util.List;
import org.junit.jupiter.api.Test;

final class OnnxExecutorTest {
  private static final Settings QUICK = new Settings(1, 3, 3, 0, 600, 42);

  @Test
  void runsTheDenoisingLoopWithOneTimingPerStep() {
    var c = TestCase.diffusion(Model.SD_2_1, "m7i.large", 2, 4, new Resolution(64, 64), Precision.FLOAT32);
    var sink = new RecordingSink();

    try (var executor = new OnnxExecutor(Ticker.SYSTEM, 1)) {
      executor.execute(List.of(c), QUICK, sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).isEmpty();
    assertThat(sink.ofType(WorkerEvent.Warmup.class)).hasSize(1);
    var samples = sink.ofType(WorkerEvent.Sample.class);
    assertThat(samples).hasSize(3).allSatisfy(s -> {
      assertThat(s.stepNs()).hasSize(4).allSatisfy(ns -> assertThat(ns).isPositive());
      assertThat(s.images()).isEqualTo(2);
      assertThat(s.e2eNs()).isGreaterThanOrEqualTo(s.inferenceNs() + s.textEncodeNs() + s.decodeNs());
    });
    assertThat(sink.ofType(WorkerEvent.Loaded.class)).singleElement().satisfies(l -> {
      assertThat(l.weights()).isEqualTo("random");
      assertThat(l.parameters()).isGreaterThan(1_000_000L);
    });
    assertThat(sink.ofType(WorkerEvent.Hello.class)).singleElement().satisfies(h -> assertThat(h.backend()).isEqualTo("onnx-cpu"));
    assertThat(sink.events.getLast()).isInstanceOf(WorkerEvent.Done.class);
  }

  @Test
  void halfPrecisionIsAFindingNotACrash() {
    var c = TestCase.diffusion(Model.SD_2_1, "m7i.large", 1, 2, new Resolution(64, 64), Precision.FLOAT16);
    var sink = new RecordingSink();

    try (var executor = new OnnxExecutor(Ticker.SYSTEM, 1)) {
      executor.execute(List.of(c), QUICK, sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).singleElement()
        .satisfies(f -> assertThat(f.kind()).isEqualTo("unsupported"));
    assertThat(sink.ofType(WorkerEvent.Done.class)).hasSize(1);
  }

  @Test
  void measuresAtLeastMinDurationWithinMaxIterations() {
    var c = TestCase.diffusion(Model.SD_2_1, "m7i.large", 1, 1, new Resolution(64, 64), Precision.FLOAT32);
    var sink = new RecordingSink();
    var settings = new Settings(0, 1, 1000, 0.3, 600, 1);

    long t0 = System.nanoTime();
    try (var executor = new OnnxExecutor(Ticker.SYSTEM, 1)) {
      executor.execute(List.of(c), settings, sink);
    }

    assertThat(System.nanoTime() - t0).isGreaterThan(300_000_000L);
    assertThat(sink.ofType(WorkerEvent.Sample.class).size()).isGreaterThan(1).isLessThan(1000);
  }

  @Test
  void gpuKnobsAreUnsupportedRatherThanSilentlyIgnored() {
    var c = new TestCase(null, Model.SD_2_1, "m7i.large", 1, 2, new Resolution(64, 64), Precision.FLOAT32, "p", 7.5,
        io.genbench.plan.Scheduler.EULER, io.genbench.plan.Attention.SDPA, io.genbench.plan.Toggle.ON, false,
        io.genbench.plan.Toggle.AUTO, null, null, null, null, null, 1);
    var sink = new RecordingSink();

    try (var executor = new OnnxExecutor(Ticker.SYSTEM, 1)) {
      executor.execute(List.of(c), QUICK, sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo("unsupported");
      assertThat(f.message()).contains("--backend torch");
    });
    assertThat(sink.ofType(WorkerEvent.Sample.class)).isEmpty();
  }
}
