package io.genbench;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A Netty event loop's select strategy that polls (a non-blocking epoll_wait / selectNow, handling I/O and due tasks as
 * usual) instead of sleeping while a poll is asked for ({@link #pollUntil}), and sleeps otherwise. The polling takes at
 * most one {@code divisor}-th of the loop's time: a budget refilled at that rate, saved up to {@code capNs}, charged for
 * each poll by the time until the loop's next turn; however often a poll is asked for, it never takes more than that
 * share of a core. The strategies of {@code genbench load}'s client ({@code io.genbench.load.WakeAhead}) and of serve's
 * loops ({@code io.genbench.serve.ServeLoops}). Everything but a subclass's own way of asking runs on the loop's thread.
 */
public abstract class PollingSelect implements SelectStrategy {
  private static final long NONE = Long.MIN_VALUE;
  private final LongSupplier clock;
  private final long divisor;
  private final long capNs;
  private long tokens;
  private long refilledAt;
  private long lastPoll = NONE;
  private volatile long polledNs;

  /** A full budget ({@code capNs}) from now. */
  protected PollingSelect(LongSupplier clock, long divisor, long capNs) {
    this.clock = clock;
    this.divisor = divisor;
    this.capNs = capNs;
    this.tokens = capNs;
    this.refilledAt = clock.getAsLong();
  }

  /** Until when (the clock's time) a poll is asked for; 0: none. */
  protected abstract long pollUntil();

  /** The poll asked for until {@code until} is over: that time passed, or the budget ran out. */
  protected abstract void pollOver(long until);

  /** Whether the loop polls now; charges the budget for the poll since its last turn. */
  public final boolean polling() {
    long now = clock.getAsLong();
    tokens = Math.min(capNs, tokens + (now - refilledAt) / divisor);
    refilledAt = now;
    if (lastPoll != NONE) {
      tokens -= now - lastPoll;
      polledNs += now - lastPoll;
      lastPoll = NONE;
    }
    long until = pollUntil();
    if (until == 0) return false;
    if (now - until >= 0 || tokens <= 0) {
      pollOver(until);
      return false;
    }
    lastPoll = now;
    return true;
  }

  /** Nanoseconds polled in all. */
  public final long polledNs() {
    return polledNs;
  }

  @Override
  public final int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
    return polling() || hasTasks ? selectSupplier.get() : SelectStrategy.SELECT;
  }
}
