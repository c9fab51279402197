package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * serve's event loops poll for a while when told an event is due, within a tenth of their time, and sleep otherwise;
 * a server whose loops poll answers as before, and its loops polled after its answers.
 */
@Timeout(60)
final class ServeLoopsTest {
  private static final long MS = 1_000_000L;

  /** A clock the test moves. */
  private static final class Clock {
    long now = 1_000 * MS;
  }

  @Test
  void aLoopSleepsUntilToldToPollAndPollsUntilTheWindowEnds() throws Exception {
    var clock = new Clock();
    var p = new ServeLoops.Poll(() -> clock.now);
    assertThat(p.calculateStrategy(() -> 0, false)).isEqualTo(SelectStrategy.SELECT);
    assertThat(p.calculateStrategy(() -> 3, true)).as("tasks are run as always").isEqualTo(3);

    p.extend(2 * MS);
    assertThat(p.calculateStrategy(() -> 0, false)).as("polls: a non-blocking select").isEqualTo(0);
    clock.now += MS;
    assertThat(p.polling()).isTrue();
    clock.now += MS;
    assertThat(p.polling()).as("the window is over").isFalse();
    assertThat(p.polledNs()).isEqualTo(2 * MS);
    clock.now += 10 * MS;
    assertThat(p.polling()).as("it does not come back by itself").isFalse();
    assertThat(p.polledNs()).isEqualTo(2 * MS);
  }

  @Test
  void aShorterWindowDoesNotCutALongerOneAndStopEndsIt() {
    var clock = new Clock();
    var p = new ServeLoops.Poll(() -> clock.now);
    p.extend(3 * MS);
    p.extend(MS);
    clock.now += 2 * MS;
    assertThat(p.polling()).isTrue();
    p.stop();
    assertThat(p.polling()).isFalse();
  }

  @Test
  void aSoonWindowEndsWithTheLastAnswerTheLoopWaitedFor() {
    var clock = new Clock();
    var p = new ServeLoops.Poll(() -> clock.now);
    p.waiting = 2;  // two requests on this loop, one soon window of 30 ms open
    p.extend(30 * MS);
    p.answered(3 * MS);
    clock.now += 10 * MS;
    assertThat(p.polling()).as("the other request's window stays open").isTrue();
    p.answered(3 * MS);
    clock.now += 3 * MS - 1;
    assertThat(p.polling()).as("3 ms for the next request").isTrue();
    clock.now += 2;
    assertThat(p.polling()).as("and no longer: the 30 ms window ended with the last answer").isFalse();
    assertThat(p.waiting).isZero();
    p.answered(3 * MS);  // an answer it did not count (a late error) does not go below zero
    assertThat(p.waiting).isZero();
  }

  @Test
  void aLoopPollsAtMostATenthOfItsTimeAfterWhatItSavedUp() {
    var clock = new Clock();
    var p = new ServeLoops.Poll(() -> clock.now);
    p.extend(10_000 * MS);  // asked to poll for 10 s
    long polledUntil = -1;
    for (int i = 0; i < 100_000; i++) {  // 10 s in steps of 0.1 ms
      if (!p.polling()) {
        polledUntil = clock.now;
        break;
      }
      clock.now += MS / 10;
    }
    assertThat(polledUntil).as("it stopped before the window's end").isPositive();
    long elapsed = polledUntil - 1_000 * MS;
    assertThat(p.polledNs()).isLessThanOrEqualTo(ServeLoops.BUDGET_CAP_NS + elapsed / ServeLoops.BUDGET_DIVISOR + MS / 10);
    assertThat(p.polledNs()).isGreaterThanOrEqualTo(ServeLoops.BUDGET_CAP_NS);
  }

  @Test
  void realLoopsPollWhenToldAndThenSleep() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll");
    var loops = new ServeLoops(new VertxOptions().setEventLoopPoolSize(1), true);
    try {
      assertThat(loops.polls()).isTrue();
      assertThat(loops.vertx().isNativeTransportEnabled()).isTrue();
      var ctx = loops.vertx().getOrCreateContext();
      Thread.sleep(50);
      assertThat(loops.polledNs()).as("an idle loop sleeps").isZero();

      loops.pollFor(ctx, 500 * MS);  // from this thread: the sleeping loop is woken to poll (within its budget)
      // settled: two reads 200 ms apart agree (at most 10 s: a loop stalled on a busy host is still in its poll a while)
      long polled = -1;
      long deadline = System.nanoTime() + 10_000 * MS;
      do {
        long before = loops.polledNs();
        Thread.sleep(200);
        if (before > 0 && loops.polledNs() == before) polled = before;
      } while (polled < 0 && System.nanoTime() - deadline < 0);
      assertThat(polled).as("asleep again once the window (or the budget) is over").isPositive().isLessThanOrEqualTo(500 * MS);
    } finally {
      loops.vertx().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withPollingOffTheLoopsNeverPoll() throws Exception {
    var loops = new ServeLoops(new VertxOptions().setEventLoopPoolSize(1), false);
    try {
      assertThat(loops.polls()).isFalse();
      loops.pollFor(loops.vertx().getOrCreateContext(), 50 * MS);
      Thread.sleep(100);
      assertThat(loops.polledNs()).isZero();
    } finally {
      loops.vertx().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theBatcherSaysARequestsBatchHasComputedBeforeItsOutcomeCompletes() throws Exception {
    var shape = new ImageBatch.Shape(new io.genbench.plan.Resolution(64, 64), 1, 1.0);
    try (var b = new Batcher(new FakeBackend(false), new Batcher.Limits(1, 0, 8), io.genbench.execute.Ticker.SYSTEM,
        new ServeMetrics(GpuTelemetry.none()), "fake")) {
      var computedThen = new java.util.concurrent.CompletableFuture<Boolean>();
      var outcome = new java.util.concurrent.CompletableFuture[1];
      synchronized (outcome) {
        outcome[0] = b.submit(shape, java.util.List.of("p"), new long[] {1}, ns -> {
          synchronized (outcome) {
            computedThen.complete(ns == 0 && !outcome[0].isDone());
          }
        });
      }
      assertThat(outcome[0].get(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(computedThen.get(30, TimeUnit.SECONDS)).as("said computed (ends within 0 ns) before the outcome was done").isTrue();
    }
  }

  @Test
  void theWorkerIsAskedToPollItsStdinAndToSaySoonWhereTheLoopsPoll() {
    var config = new WorkerImageBackend.Config("python3", java.nio.file.Path.of("worker/src"), "m", "float32", true, null, "torch",
        "cpu", java.util.List.of(), java.time.Duration.ofSeconds(1), 1);
    try {
      System.setProperty("genbench.serve.poll", "true");
      assertThat(String.join(" ", config.command())).contains("--spin-ms " + WorkerImageBackend.WORKER_SPIN_MS)
          .contains("--soon-ms " + WorkerImageBackend.WORKER_SOON_MS);
      System.setProperty("genbench.serve.poll", "false");
      assertThat(config.command()).doesNotContain("--spin-ms").doesNotContain("--soon-ms");
    } finally {
      System.clearProperty("genbench.serve.poll");
    }
  }

  @Test
  void aServerWhoseLoopsPollAnswersAndItsLoopPolledAfterTheComputeAndTheAnswer() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll");
    System.setProperty("genbench.serve.poll", "true");
    ImageServer server;
    try {
      var config = new ImageServer.Config("127.0.0.1", 0, null, "stabilityai/stable-diffusion-2-1", RequestLimits.DEFAULT,
          new Batcher.Limits(1, 0, 8));
      server = ImageServer.start(config, () -> new FakeBackend(false), new ServeMetrics(GpuTelemetry.none()));
    } finally {
      System.clearProperty("genbench.serve.poll");
    }
    try (server) {
      server.ready().get(30, TimeUnit.SECONDS);
      var http = new Http(server.port());
      for (String format : new String[] {"url", "b64_json"}) {
        long before = server.polledNs();
        // Requests until the loop has polled, at most 10 s of them. Not a fixed few: a loop preempted while it polls is
        // charged the whole time it was off the core, and on a busy 2-core host one such charge empties the budget for
        // tens of requests (it refills at a tenth of the time passed).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int sent = 0;
        while (server.polledNs() == before && System.nanoTime() - deadline < 0) {
          var r = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"size\":\"64x64\",\"steps\":2,\"response_format\":\"" + format + "\"}");
          assertThat(r.statusCode()).isEqualTo(200);
          sent++;
          Thread.sleep(20);  // the poll after the answer is over (its time is counted as it ends), and budget refills
        }
        assertThat(server.polledNs()).as(format + " after " + sent + " requests").isGreaterThan(before);
      }
    }
  }
}
