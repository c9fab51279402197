package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throughput figures of a level count the measured successes done in its window, which starts once no warm-up request runs. */
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
   * measured request is sent then, while user B's warm-up request runs from 1 to 2 s. The server serves measured
   * requests only from 2 s on, at 1 req/s; a window from the first schedule would say 4 in 5 s, and counting B's
   * warm-up in it 5 in 5 s — right here by chance, one batch too many when warm-up answers straddle the first schedule.
   */
  @Test
  void theWindowStartsWhenTheLastWarmUpRequestEnds() {
    List<RequestRecord> records = new ArrayList<>();
    records.add(request(0, true, 0, 1)); // A warm-up
    records.add(request(1, true, 0, 2)); // B warm-up, queued behind A's
    records.add(request(2, false, 1, 3)); // A measured (waits for B's warm-up)
    records.add(request(3, false, 2, 4)); // B measured
    records.add(request(4, false, 3, 5)); // A measured
    records.add(request(5, false, 4, 6)); // B measured
    LevelStats stats = LevelStats.of(new LevelRun(0, "http://127.0.0.1:9/v1/images/generations", 1,
        new Level.Closed("c2", 2), 0, 6 * S, 0.1, true, records));

    assertThat(stats.windowS()).isCloseTo(4.0, within(1e-9));
    assertThat(stats.requests()).isEqualTo(4);
    assertThat(stats.warmup()).isEqualTo(2);
    assertThat(stats.images()).isEqualTo(4);
    assertThat(stats.achievedRate()).isCloseTo(1.0, within(1e-9));
    assertThat(stats.imagesPerSecond()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void aWarmUpDoneBeforeTheFirstScheduleLeavesTheWindowAndFailuresDoNotCount() {
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

  /**
   * Batches of two (a batching server, 1 s a batch, four users): the last warm-up batch's answers straddle the first
   * measured schedule. Counting warm-ups done after the first schedule would add one of them; the window instead starts
   * when the last warm-up answer is out.
   */
  @Test
  void aWarmUpBatchStraddlingTheFirstScheduleIsNotCounted() {
    List<RequestRecord> records = new ArrayList<>();
    records.add(request(0, true, 0, 1.00));
    records.add(request(1, true, 0, 1.02)); // the warm-up batch's answers leave over 20 ms
    records.add(request(2, false, 1.00, 2.00)); // user 0's first measured request, scheduled before user 1's answer
    records.add(request(3, false, 1.02, 2.02));
    records.add(request(4, false, 2.00, 3.00));
    records.add(request(5, false, 2.02, 3.02));
    LevelStats stats = LevelStats.of(new LevelRun(0, "u", 1, new Level.Closed("c2", 2), 0, 4 * S, 0.1, true, records));

    assertThat(stats.windowS()).isCloseTo(2.0, within(1e-9));
    assertThat(stats.images()).isEqualTo(4);
    assertThat(stats.imagesPerSecond()).isCloseTo(2.0, within(1e-9));
  }

  /** Per-prompt blocks schedule warm-ups between measured requests: the window is then first scheduled to last done. */
  @Test
  void warmUpsBetweenMeasuredRequestsLeaveTheWindowAtTheFirstSchedule() {
    List<RequestRecord> records = new ArrayList<>();
    records.add(request(0, true, 0, 1));
    records.add(request(1, false, 1, 2));
    records.add(request(2, true, 2, 3));
    records.add(request(3, false, 3, 4));
    LevelStats stats = LevelStats.of(new LevelRun(0, "u", 1, new Level.Closed("c1", 1), 0, 4 * S, 0.1, true, records));

    assertThat(stats.windowS()).isCloseTo(3.0, within(1e-9));
    assertThat(stats.images()).isEqualTo(2);
  }
}
