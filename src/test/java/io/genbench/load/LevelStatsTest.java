package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throughput figures of a level count what completed in its window, warm-up requests included. */
class LevelStatsTest {
  static final long S = 1_000_000_000L;

  /** One image request: scheduled and sent at {@code start} s, done at {@code done} s. */
  static RequestRecord request(int index, boolean warmup, double start, double done) {
    long s = (long) (start * S);
    long d = (long) (done * S);
    return new RequestRecord(0, 1, index, warmup, 0, s, s, s, d, d, null, 200, 1, 0, false, new long[0], null, null, null);
  }

  /**
   * Two users against a server that runs one request at a time (1 s each): user A's warm-up ends at 1 s and its first
   * measured request is sent then, while user B's warm-up request runs from 1 to 2 s. The server was busy the whole
   * window, so the rate is 1 req/s; counting only measured requests would say 4 in 5 s.
   */
  @Test
  void aWarmUpRequestDoneInTheWindowCountsAsTheServersWork() {
    List<RequestRecord> records = new ArrayList<>();
    records.add(request(0, true, 0, 1)); // A warm-up
    records.add(request(1, true, 0, 2)); // B warm-up, queued behind A's
    records.add(request(2, false, 1, 3)); // A measured (waits for B's warm-up)
    records.add(request(3, false, 2, 4)); // B measured
    records.add(request(4, false, 3, 5)); // A measured
    records.add(request(5, false, 4, 6)); // B measured
    LevelStats stats = LevelStats.of(new LevelRun(0, "http://127.0.0.1:9/v1/images/generations", 1,
        new Level.Closed("c2", 2), 0, 6 * S, 0.1, true, records));

    assertThat(stats.windowS()).isCloseTo(5.0, within(1e-9));
    assertThat(stats.requests()).isEqualTo(4);
    assertThat(stats.warmup()).isEqualTo(2);
    assertThat(stats.images()).isEqualTo(5);
    assertThat(stats.achievedRate()).isCloseTo(1.0, within(1e-9));
    assertThat(stats.imagesPerSecond()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void aWarmUpRequestDoneBeforeTheWindowAndFailuresDoNotCount() {
    List<RequestRecord> records = new ArrayList<>();
    records.add(request(0, true, 0, 1));
    records.add(request(1, false, 1, 2));
    records.add(request(2, false, 2, 3));
    RequestRecord failed = request(3, false, 2.5, 3);
    records.add(new RequestRecord(0, 1, 3, false, 0, failed.scheduledNs(), failed.firedNs(), failed.sentNs(), -1,
        failed.doneNs(), ErrorKind.values()[0], 500, 0, 0, false, new long[0], "boom", null, null));
    LevelStats stats = LevelStats.of(new LevelRun(0, "u", 1, new Level.Closed("c1", 1), 0, 3 * S, 0.1, true, records));

    assertThat(stats.windowS()).isCloseTo(2.0, within(1e-9));
    assertThat(stats.images()).isEqualTo(2);
    assertThat(stats.achievedRate()).isCloseTo(1.0, within(1e-9));
  }
}
