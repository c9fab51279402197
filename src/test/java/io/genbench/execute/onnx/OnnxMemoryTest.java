package io.genbench.execute.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.RecordingSink;
import io.genbench.execute.Ticker;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.WorkerEvent;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A case's memory figure is its own: the same whatever ran before it, and it grows with what the case holds. */
final class OnnxMemoryTest {
  private static final Settings ONE = new Settings(1, 1, 1, 0, 600, 42, 1, 60, 0.05);
  private static final TestCase SMALL = sd(1, 256);
  private static final TestCase B1 = sd(1, 512);
  private static final TestCase B4 = sd(4, 512);

  private static Map<String, WorkerEvent.Memory> alone;
  private static WorkerEvent.Memory b1AfterB4;

  private static TestCase sd(int batch, int side) {
    return TestCase.diffusion(Model.SD_2_1, "m7i.large", batch, 1, new Resolution(side, side), Precision.FLOAT32);
  }

  private static List<WorkerEvent.Memory> run(TestCase... cases) {
    var sink = new RecordingSink();
    try (var executor = new OnnxExecutor(Ticker.SYSTEM, 1)) {
      executor.execute(List.of(cases), ONE, sink);
    }
    assertThat(sink.ofType(WorkerEvent.Failed.class)).isEmpty();
    return sink.ofType(WorkerEvent.Memory.class);
  }

  @BeforeAll
  static void runCases() {
    // one execute() per case first, as the Runner calls it per model group, then the batch-1 case after the batch-4
    // one in the same call
    alone = java.util.stream.Stream.of(B1, SMALL, B4).map(c -> run(c).getFirst())
        .collect(Collectors.toMap(WorkerEvent.Memory::caseId, m -> m));
    b1AfterB4 = run(B4, B1).get(1);
  }

  @Test
  void aCaseReportsTheSameMemoryWhetherItRunsFirstOrAfterABiggerCase() {
    assertThat(b1AfterB4.caseId()).isEqualTo(B1.id());
    assertThat(b1AfterB4.peakAllocatedBytes()).isCloseTo(alone.get(B1.id()).peakAllocatedBytes(), Percentage.withPercentage(10));
  }

  @Test
  void memoryGrowsWithResolutionAndBatch() {
    long small = alone.get(SMALL.id()).peakAllocatedBytes();
    long b1 = alone.get(B1.id()).peakAllocatedBytes();
    long b4 = alone.get(B4.id()).peakAllocatedBytes();

    assertThat(small).isGreaterThan(5L << 20);
    assertThat(b1).isGreaterThan(small * 2);
    assertThat(b4).isGreaterThan(b1 * 2);
  }

  @Test
  void reportsTheResidentSetDeltaOverTheCaseStartOnTheCpu() {
    assertThat(alone.values()).allSatisfy(m -> {
      assertThat(m.kind()).isEqualTo("rss-delta");
      assertThat(m.device()).isEqualTo("cpu");
      assertThat(m.peakReservedBytes()).isEqualTo(m.peakAllocatedBytes());
      assertThat(m.baselineBytes()).isGreaterThan(50L << 20); // a JVM with ONNX Runtime loaded
    });
  }
}
