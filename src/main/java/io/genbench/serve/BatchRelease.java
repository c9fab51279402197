package io.genbench.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Lets the answers of one batch go together: each request's answer, once encoded, waits until every request of its
 * batch has one, then all go. Closed-loop clients then send their next requests at about the same moment, so the
 * batcher finds them together instead of a first straggler and the rest. A batch of one request goes at once.
 */
final class BatchRelease {
  private final Map<Long, List<Runnable>> waiting = new ConcurrentHashMap<>();

  /** Runs {@code then} with {@code ready}'s outcome once every request of {@code o}'s batch has its own ready. */
  <T> void join(Batcher.Outcome o, CompletableFuture<T> ready, BiConsumer<T, Throwable> then) {
    if (o.batchRequests() <= 1) {
      ready.whenComplete(then);
      return;
    }
    ready.whenComplete((value, failure) -> {
      List<Runnable> go = null;
      List<Runnable> group = waiting.computeIfAbsent(o.batchSeq(), k -> new ArrayList<>());
      synchronized (group) {
        group.add(() -> then.accept(value, failure));
        if (group.size() == o.batchRequests()) {
          waiting.remove(o.batchSeq());
          go = new ArrayList<>(group);
        }
      }
      if (go != null) go.forEach(Runnable::run);
    });
  }

  /** Batches with answers held now (for tests). */
  int held() {
    return waiting.size();
  }
}
