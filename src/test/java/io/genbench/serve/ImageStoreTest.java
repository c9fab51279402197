package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ImageStoreTest {
  private static final ImageBackend.Image IMAGE = new ImageBackend.Image(2, 1, new byte[] {1, 2, 3, 4, 5, 6});

  @Test
  void aStoredImageIsFetchedAsItsPngUntilItsTimeIsUp() {
    AtomicLong now = new AtomicLong();
    var store = new ImageStore(4, 1_000, now::get, Runnable::run);

    String id = store.put(CompletableFuture.completedFuture(IMAGE));

    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(store.get(id).join()).isEqualTo(Png.encode(IMAGE));
    now.set(999);
    assertThat(store.get(id)).isNotNull();
    now.set(1_000);
    assertThat(store.get(id)).isNull();
    assertThat(store.size()).isZero();
  }

  @Test
  void theOldestImagesMakeRoomBeyondTheLimitAndIdsDiffer() {
    var store = new ImageStore(2, Long.MAX_VALUE, () -> 0, Runnable::run);

    String a = store.put(CompletableFuture.completedFuture(IMAGE));
    String b = store.put(CompletableFuture.completedFuture(IMAGE));
    String c = store.put(CompletableFuture.completedFuture(IMAGE));

    assertThat(java.util.List.of(a, b, c)).doesNotHaveDuplicates();
    assertThat(store.get(a)).isNull();
    assertThat(store.get(b)).isNotNull();
    assertThat(store.get(c)).isNotNull();
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void aFetchWaitsForAnImageStillBeingReadAndOneThatCannotBeReadFailsWithWhy() {
    var store = new ImageStore(4, Long.MAX_VALUE, () -> 0, Runnable::run);
    var reading = new CompletableFuture<ImageBackend.Image>();
    var lost = new CompletableFuture<ImageBackend.Image>();

    String id = store.put(reading);
    String gone = store.put(lost);

    assertThat(store.get(id)).isNotDone();
    reading.complete(IMAGE);
    assertThat(store.get(id).join()).isEqualTo(Png.encode(IMAGE));
    lost.completeExceptionally(new IllegalStateException("pixel file cut short"));
    assertThat(store.get(gone)).isCompletedExceptionally();
    assertThat(store.get(gone).exceptionNow()).hasMessageContaining("pixel file cut short");
  }
}
