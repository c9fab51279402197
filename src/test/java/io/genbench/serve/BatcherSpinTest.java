package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.Ticker;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import io.genbench.plan.Resolution;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The batcher's thread spins for the next request after a batch's answers left, instead of parking at once: a request
 * that comes during the spin is taken without a wake-up, one that comes after it or before any answer is taken as
 * before (the thread parked), and closing ends a spin at once.
 */
@Timeout(60)
final class BatcherSpinTest {
  private static final ImageBatch.Shape SHAPE = new ImageBatch.Shape(new Resolution(64, 64), 1, 1.0);
  private static final Batcher.Limits ONE_AT_ONCE = new Batcher.Limits(1, 0, 8);

  private static Batcher.Outcome answer(Batcher b, long seed) throws Exception {
    Batcher.Outcome o = b.submit(SHAPE, List.of("p"), new long[] {seed}).get(30, TimeUnit.SECONDS);
    assertThat(o.images().get(30, TimeUnit.SECONDS)).hasSize(1);
    b.answered(o.batchSeq());
    return o;
  }

  @Test
  void aRequestThatComesBackWhileTheThreadSpinsIsTakenByTheSpinningThread() throws Exception {
    var backend = new FakeBackend(false);
    try (var b = new Batcher(backend, ONE_AT_ONCE, Ticker.SYSTEM, new ServeMetrics(GpuTelemetry.none()), "fake")) {
      b.spinAfterAnswer(Duration.ofSeconds(20));  // long enough that a test thread on a loaded machine is back in time
      answer(b, 1);  // the first request: no answer had left, the thread was parked
      assertThat(b.caughtSpinning).hasValue(0);
      for (int k = 2; k <= 4; k++) {
        // the thread goes on spinning once its batch is over; a request sent before that would find it busy, not spinning
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!b.spinning && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(b.spinning).as("spinning after answer %d", k - 1).isTrue();
        answer(b, k);
      }
      assertThat(b.caughtSpinning).hasValue(3);
      assertThat(backend.batches).hasValue(4);
    }
  }

  @Test
  void withoutASpinTheThreadParksAndStillTakesEveryRequest() throws Exception {
    var backend = new FakeBackend(false);
    try (var b = new Batcher(backend, ONE_AT_ONCE, Ticker.SYSTEM, new ServeMetrics(GpuTelemetry.none()), "fake")) {
      b.spinAfterAnswer(Duration.ZERO);
      for (int k = 1; k <= 3; k++) {
        answer(b, k);
        Thread.sleep(20);
        assertThat(b.spinning).isFalse();
      }
      assertThat(b.caughtSpinning).hasValue(0);
      assertThat(backend.batches).hasValue(3);
    }
  }

  @Test
  void theWaitForTheNextRequestFollowsHowSoonClientsCameBack() throws Exception {
    try (var b = new Batcher(new FakeBackend(false), ONE_AT_ONCE, Ticker.SYSTEM, new ServeMetrics(GpuTelemetry.none()), "fake")) {
      assertThat(b.comeBackNs()).isEqualTo(ComeBack.FLOOR_NS);
      answer(b, 1);
      for (int k = 2; k <= 10; k++) {
        Thread.sleep(5);  // the client comes back at least 5 ms after its answer
        answer(b, k);
      }
      // the longest come-back (>= 5 ms, unless a loaded machine made every one longer than 20 ms) and a quarter, capped
      assertThat(b.comeBackNs()).isBetween(6_250_000L, ComeBack.CAP_NS);
    }
  }

  @Test
  void closingEndsASpinAtOnce() throws Exception {
    var b = new Batcher(new FakeBackend(false), ONE_AT_ONCE, Ticker.SYSTEM, new ServeMetrics(GpuTelemetry.none()), "fake");
    b.spinAfterAnswer(Duration.ofMinutes(10));
    answer(b, 1);  // the thread now spins for up to 10 minutes
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!b.spinning && System.nanoTime() < deadline) Thread.sleep(1);
    assertThat(b.spinning).isTrue();
    long start = System.nanoTime();
    b.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(b.caughtSpinning).hasValue(0);
  }
}
