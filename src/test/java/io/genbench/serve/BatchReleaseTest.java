package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BatchReleaseTest {
  private static Batcher.Outcome of(long batch, int requests) {
    return new Batcher.Outcome(java.util.concurrent.CompletableFuture.completedFuture(List.of()), 0, 0, 0, requests, requests, batch);
  }

  @Test
  void theAnswersOfABatchGoTogetherOnceTheLastIsReady() {
    var release = new BatchRelease();
    List<String> gone = new ArrayList<>();
    List<CompletableFuture<String>> ready = List.of(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
    for (var f : ready) release.join(of(7, 3), f, (v, e) -> gone.add(v));
    var alone = new CompletableFuture<String>();
    release.join(of(8, 1), alone, (v, e) -> gone.add(v));

    ready.get(2).complete("c");
    ready.get(0).complete("a");
    assertThat(gone).isEmpty();
    assertThat(release.held()).isEqualTo(1);
    alone.complete("alone");  // a batch of one request goes at once
    assertThat(gone).containsExactly("alone");

    ready.get(1).complete("b");

    assertThat(gone).containsExactly("alone", "c", "a", "b");
    assertThat(release.held()).isZero();
  }

  @Test
  void aFailedAnswerStillLetsItsBatchGo() {
    var release = new BatchRelease();
    List<String> gone = new ArrayList<>();
    var ok = new CompletableFuture<String>();
    var failed = new CompletableFuture<String>();
    release.join(of(1, 2), ok, (v, e) -> gone.add(v));
    release.join(of(1, 2), failed, (v, e) -> gone.add("failed: " + e.getMessage()));

    failed.completeExceptionally(new IllegalStateException("encoding"));
    ok.complete("ok");

    assertThat(gone).containsExactly("failed: encoding", "ok");
  }
}
