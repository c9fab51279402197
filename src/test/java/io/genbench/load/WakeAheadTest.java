package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

/** The poll-before-the-answer strategy on a fake clock. */
final class WakeAheadTest {
  private static final long MS = 1_000_000L;
  private long now = 1_000 * MS;
  private final WakeAhead w = new WakeAhead(() -> now);

  @Test
  void itPlansAPollOnlyForSlowServicesFromTheShortestRecentOne() {
    assertThat(w.pollFrom(now)).as("no service seen yet").isEqualTo(WakeAhead.NONE);
    w.serviced(MS); // 1 ms: too fast to poll for
    assertThat(w.pollFrom(now)).isEqualTo(WakeAhead.NONE);
    for (int i = 0; i < 16; i++) w.serviced(20 * MS + i * 10_000);
    assertThat(w.expectedServiceNs()).as("the 1 ms answer has left the last 16").isEqualTo(20 * MS);
    assertThat(w.pollFrom(now)).isEqualTo(now + 20 * MS - WakeAhead.LEAD_NS);
    w.serviced(0);
    w.serviced(-5);
    assertThat(w.expectedServiceNs()).as("failures and nonsense are not service times").isEqualTo(20 * MS);
  }

  @Test
  void armedItPollsUntilItsAnswerEndsOrTheBoundPasses() throws Exception {
    Object request = new Object();
    Object other = new Object();
    assertThat(strategy(false)).as("not armed: it sleeps").isEqualTo(SelectStrategy.SELECT);
    assertThat(strategy(true)).as("not armed, tasks waiting: Netty's default, a non-blocking select").isEqualTo(7);

    w.arm(request);
    assertThat(strategy(false)).isEqualTo(7);
    now += 100_000;
    w.ended(other);
    assertThat(strategy(false)).as("another request's answer does not stop the poll").isEqualTo(7);
    w.ended(request);
    assertThat(strategy(false)).isEqualTo(SelectStrategy.SELECT);
    assertThat(w.polledNs()).as("from the first poll to the last call that polled").isEqualTo(100_000);

    w.arm(request);
    assertThat(strategy(false)).isEqualTo(7);
    now += WakeAhead.MAX_SPIN_NS;
    assertThat(strategy(false)).as("no answer within the bound: it sleeps again").isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void pollingNeverTakesMoreThanATenthOfTheLoopsTime() throws Exception {
    long start = now;
    Object request = new Object();
    for (int round = 0; round < 1_000; round++) { // an answer due every 2 ms, never coming: the worst case
      w.arm(request);
      long armedAt = now;
      while (now - armedAt < 2 * MS) {
        strategy(false);
        now += 10_000;
      }
    }
    double share = (double) w.polledNs() / (now - start);
    assertThat(share).isBetween(0.09, 0.1 + (double) WakeAhead.BUDGET_CAP_NS / (now - start));
  }

  @Test
  void servicesThatVaryPollForTheirSpreadUpToABound() throws Exception {
    assertThat(w.maxSpinNs()).isEqualTo(WakeAhead.MAX_SPIN_NS);
    for (int i = 0; i < 16; i++) w.serviced(280 * MS + (i % 4) * 10 * MS);  // 280 to 310 ms
    assertThat(w.pollFrom(now)).isEqualTo(now + 280 * MS - WakeAhead.LEAD_NS);
    assertThat(w.maxSpinNs()).isEqualTo(WakeAhead.MAX_SPIN_NS + 30 * MS);

    Object request = new Object();
    w.arm(request);
    now += 25 * MS;
    assertThat(strategy(false)).as("25 ms in: still within the spread").isEqualTo(7);
    now += 7 * MS;
    assertThat(strategy(false)).as("past the spread and the bound: it sleeps").isEqualTo(SelectStrategy.SELECT);

    w.serviced(MS * 1_000);  // one 1 s service among them
    assertThat(w.maxSpinNs()).isEqualTo(WakeAhead.MAX_SPIN_CAP_NS);
  }

  private int strategy(boolean hasTasks) throws Exception {
    return w.calculateStrategy(() -> 7, hasTasks);
  }
}
