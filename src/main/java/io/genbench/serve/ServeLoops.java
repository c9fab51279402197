package io.genbench.serve;

import io.genbench.PollingSelect;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.impl.transports.EpollTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * serve's Vert.x, whose event loops poll (a non-blocking epoll_wait, handling I/O and tasks as usual) instead of
 * sleeping for a short while when their next event is due within moments:
 * <ul>
 *   <li>once the compute of a batch holding one of the loop's requests is done: the answer is handed to the loop
 *       0.1-0.3 ms later, when the worker's pixels and result line are in ({@link #pollFor}, called by the thread that
 *       reads the worker's {@code computed} line: {@link ImageBackend#start(ImageBatch, java.util.function.LongConsumer)});
 *       with {@link #POLL_FROM_SOON} already from the worker's {@code soon} line, until the answer is out;
 *   <li>after the loop wrote an image answer: a client that sends one request at a time sends its next 0.3-1.5 ms later
 *       (up to 5.7 ms on a noisy host); the loop polls as long as the batcher's clients took to come back
 *       ({@link ComeBack}, 2-8 ms).
 * </ul>
 * A sleeping loop takes a thread wake-up to read the request or take the answer, and on an H100 host a wake-up was
 * 0.05-0.15 ms at P50 and up to 0.4 ms in the tail (issue 20: the serving overhead's hand-offs; polling took the
 * overhead {@code genbench load} measures from 1.32-1.36 to 1.06-1.07 ms at P50 and 1.93-2.12 to 1.59-1.61 ms at
 * P99, bench/RESULTS.md §25). Polling is what the batcher's and the worker reader's spins do for their threads, and
 * what {@code genbench load}'s client does for its own loops ({@code io.genbench.load.WakeAhead}). Only on a host of
 * {@link Batcher#SPIN_MIN_CORES} cores or more with native epoll (on fewer the poll takes the core the worker or the
 * client needs), and each loop polls at most {@link #BUDGET_DIVISOR one tenth} of its time, however many answers it
 * writes ({@link PollingSelect}). The same switch has the worker poll its stdin for the next request after each answer
 * ({@link WorkerImageBackend#WORKER_SPIN_MS}). {@code -Dgenbench.serve.poll=false} turns both off; {@code =true} turns
 * them on on any host (tests).
 */
final class ServeLoops {
  /** How long a loop polls once a batch holding one of its requests has computed, for that request's answer. */
  static final long FOR_ANSWER_NS = 2_000_000L;
  /**
   * Whether a loop polls from a worker's {@code soon} rather than from its {@code computed} line
   * ({@code -Dgenbench.serve.pollFromSoon=true}; off by default). Its first form, whose window outlived the answer, drained
   * the loops' budget on an H200 host (overhead P99 4.8-6.3 ms against 2.3 ms polling from {@code computed}); the window
   * now ends with the last answer a loop waits for, which no GPU host has measured yet (issue 20, bench/RESULTS.md §27).
   */
  static final boolean POLL_FROM_SOON = Boolean.getBoolean("genbench.serve.pollFromSoon");
  /** Polling takes at most 1 / this of a loop's time. */
  static final long BUDGET_DIVISOR = 10;
  /**
   * The most polling time a loop saves up: a poll from a worker's {@code soon} ({@link #POLL_FROM_SOON}) lasts as long
   * as the spread of that shape's recent computes (the worker's {@code within_ms}, at most 50 ms), which one budget
   * should cover; otherwise one request's polls: {@link #FOR_ANSWER_NS} and the longest wait for the client's next
   * request ({@link ComeBack#CAP_NS}), 10 ms.
   */
  static final long BUDGET_CAP_NS = POLL_FROM_SOON ? 50_000_000L : FOR_ANSWER_NS + ComeBack.CAP_NS;

  private static final Runnable NOTHING = () -> {};

  private final Vertx vertx;
  private final Map<EventExecutor, Poll> polls = new ConcurrentHashMap<>();

  /**
   * @param poll whether the loops poll (when native epoll is there); false: a plain Vert.x of {@code options}
   */
  ServeLoops(VertxOptions options, boolean poll) {
    this.vertx = poll && Epoll.isAvailable()
        ? new VertxBuilder(options.setPreferNativeTransport(true)).findTransport(new PollingTransport()).init().vertx()
        : Vertx.vertx(options);
  }

  /** Whether serve's loops poll here: {@code genbench.serve.poll} if set, else on hosts of enough cores. */
  static boolean pollHere() {
    String p = System.getProperty("genbench.serve.poll");
    return p == null ? Batcher.SPIN_HERE : Boolean.parseBoolean(p);
  }

  Vertx vertx() {
    return vertx;
  }

  /** Whether the loops poll (false: no native epoll, or polling off). */
  boolean polls() {
    return !polls.isEmpty();
  }

  /**
   * Lets the event loop of {@code ctx} poll for the next {@code ns} (or longer, if it already was to); from any thread.
   * A loop asleep is woken to start.
   */
  void pollFor(Context ctx, long ns) {
    var loop = ((ContextInternal) ctx).nettyEventLoop();
    Poll p = polls.get(loop);
    if (p == null) return;
    p.extend(ns);
    if (!loop.inEventLoop()) {
      try {
        loop.execute(NOTHING);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the server is closing
      }
    }
  }

  /**
   * Ends the poll of the event loop of {@code ctx} (on that loop: the request it polled for came), unless the loop
   * still waits for an answer ({@link #awaiting}).
   */
  void stopPolling(Context ctx) {
    Poll p = polls.get(((ContextInternal) ctx).nettyEventLoop());
    if (p != null && p.waiting == 0) p.stop();
  }

  /** The loop of {@code ctx} (on that loop) waits for one more request's answer, until {@link #answered}. */
  void awaiting(Context ctx) {
    Poll p = polls.get(((ContextInternal) ctx).nettyEventLoop());
    if (p != null) p.waiting++;
  }

  /**
   * The loop of {@code ctx} (on that loop) wrote an answer it waited for (or the request's error): it polls {@code ns}
   * more for the client's next request. The windows the answers it waits for opened ({@code soon}: the spread of a
   * shape's computes, up to 50 ms) end here once it waits for none, instead of polling out their length after the
   * answer is gone: on an H200 host that drained the loop's budget, and loops then slept through answers (issue 20).
   */
  void answered(Context ctx, long ns) {
    Poll p = polls.get(((ContextInternal) ctx).nettyEventLoop());
    if (p != null) p.answered(ns);
  }

  /** Nanoseconds the loops polled in all (tests, reports). */
  long polledNs() {
    return polls.values().stream().mapToLong(Poll::polledNs).sum();
  }

  /** Vert.x's epoll transport, its I/O loops made with a {@link Poll} each. */
  private final class PollingTransport extends EpollTransport {
    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
      if (type != IO_EVENT_LOOP_GROUP) return super.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
      List<Poll> made = new ArrayList<>();
      var group = new EpollEventLoopGroup(nThreads, threadFactory, () -> {
        Poll p = new Poll(System::nanoTime);
        made.add(p);
        return p;
      });
      group.setIoRatio(ioRatio);
      int i = 0;
      for (EventExecutor loop : group) polls.put(loop, made.get(i++));  // the loops are made in the strategies' order
      return group;
    }
  }

  /** One loop's select strategy: polls until {@link #until}, and sleeps in epoll_wait otherwise. */
  static final class Poll extends PollingSelect {
    private final LongSupplier clock;
    /** Poll until then (the clock's time); 0: not polling. Written by any thread. */
    private volatile long until;
    /** Answers the loop waits for (its own thread only). */
    int waiting;

    Poll(LongSupplier clock) {
      super(clock, BUDGET_DIVISOR, BUDGET_CAP_NS);
      this.clock = clock;
    }

    /** Polls for {@code ns} from now, or until the later end already set. */
    void extend(long ns) {
      long u = clock.getAsLong() + ns;
      synchronized (this) {
        if (until == 0 || u - until > 0) until = u;
      }
    }

    /** An answer it waited for left: polls {@code ns} from now, and no longer than that once it waits for none. */
    void answered(long ns) {
      waiting = Math.max(0, waiting - 1);
      if (waiting > 0) {
        extend(ns);
        return;
      }
      synchronized (this) {
        until = clock.getAsLong() + ns;
      }
    }

    void stop() {
      until = 0;
    }

    @Override
    protected long pollUntil() {
      return until;
    }

    @Override
    protected synchronized void pollOver(long u) {
      if (until == u) until = 0;
    }
  }
}
