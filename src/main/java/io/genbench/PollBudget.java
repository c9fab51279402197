package io.genbench;

import java.util.function.LongSupplier;

/**
 * How much of an event loop's time it may spend polling (a non-blocking select instead of sleeping): a budget refilled
 * at one {@code divisor}-th of the time that passes, saved up to {@code capNs}, and charged for each poll by the time
 * until the loop's next turn. Used by the select strategies of {@code genbench load}'s client and of serve's loops, so
 * that polling, however often it is asked for, never takes more than that share of a core. Not thread-safe: the loop's
 * thread calls it.
 */
public final class PollBudget {
  private static final long NONE = Long.MIN_VALUE;
  private final LongSupplier clock;
  private final long divisor;
  private final long capNs;
  private long tokens;
  private long refilledAt;
  private long lastPoll = NONE;
  private volatile long polledNs;

  /** A full budget ({@code capNs}) from now. */
  public PollBudget(LongSupplier clock, long divisor, long capNs) {
    this.clock = clock;
    this.divisor = divisor;
    this.capNs = capNs;
    this.tokens = capNs;
    this.refilledAt = clock.getAsLong();
  }

  /** Refills the budget for the time since the last call and charges the poll in progress, if any; returns the time now. */
  public long settle() {
    long now = clock.getAsLong();
    tokens = Math.min(capNs, tokens + (now - refilledAt) / divisor);
    refilledAt = now;
    if (lastPoll != NONE) {
      tokens -= now - lastPoll;
      polledNs += now - lastPoll;
      lastPoll = NONE;
    }
    return now;
  }

  /** Whether some budget is left (after {@link #settle}). */
  public boolean left() {
    return tokens > 0;
  }

  /** The loop polls from {@code now} (a {@link #settle} time) until its next turn, charged then. */
  public void poll(long now) {
    lastPoll = now;
  }

  /** Nanoseconds polled in all. */
  public long polledNs() {
    return polledNs;
  }
}
