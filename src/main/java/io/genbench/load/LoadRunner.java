package io.genbench.load;

import io.genbench.capacity.CpuMeter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Drives a plan's levels against each target in turn. Open-loop levels: a scheduler thread sleeps until just
 * before the next due time (parkNanos overshoots by tens of microseconds: Linux timer slack), spins the rest, then
 * fires every request that is due, each stamped with its scheduled time, never with the time it was fired; an engine
 * that asks for it ({@link LoadEngine#aheadNs}) gets each request that much ahead of its due time and holds it, without
 * spinning, to the due time (the scheduler then neither spins nor makes the client wake late). Closed-loop
 * levels: N users, each sending its next request when its last one ends. After the last request a level drains
 * until every request ended or the timeout passed; what is left is recorded as unfinished.
 */
public final class LoadRunner {
  /** The generator's own CPU share per level: the same meter validity judges by. */
  private static final CpuMeter CPU = CpuMeter.ofThisProcess();

  /** How long before a due time the scheduler stops sleeping and spins. */
  static final long SPIN_NS = 120_000;

  /**
   * How long to spin before a request due {@code gapNs} after the one before: {@link #SPIN_NS} while the spinning costs
   * at most a quarter of a core (gaps of 4 x SPIN_NS and more, about 2,000 req/s and less), else none: at higher rates the
   * scheduler parks to the due time and fires every request due when it wakes (the timer slack, ~60 us, is then the lag),
   * so its spinning does not take the CPU from the event loops that send (bench/load-dispatch at 10,000 req/s).
   */
  static long spinNs(long gapNs) {
    return gapNs >= 4 * SPIN_NS ? SPIN_NS : 0;
  }

  private final LoadPlan plan;
  private final Prompts prompts;
  private final LoadClock clock;
  private final Consumer<String> progress;
  private LoadObserver observer = LoadObserver.NONE;
  private LoadEngine.Kind engineKind; // null: by the target's URL (LoadEngine.open)
  private boolean warmUp; // the JIT warm-up's own levels: no warm-up of their own, the compiler threads at full speed

  public LoadRunner(LoadPlan plan, Prompts prompts, LoadClock clock, Consumer<String> progress) {
    this.plan = plan;
    this.prompts = prompts;
    this.clock = clock;
    this.progress = progress;
  }

  /** Has {@code watcher} see each level and request as it runs (live metrics); returns this runner. */
  public LoadRunner observedBy(LoadObserver watcher) {
    this.observer = watcher;
    return this;
  }

  /** Uses the engine {@code kind} whatever the URL (tests run both engines); returns this. */
  LoadRunner engine(LoadEngine.Kind kind) {
    this.engineKind = kind;
    return this;
  }

  /** Marks this runner as {@link JitWarmUp}'s: its levels neither warm up the JIT nor lower the compiler threads' priority. */
  LoadRunner jitWarmUp() {
    this.warmUp = true;
    return this;
  }

  /** Runs {@code levels} against every target, target by target. */
  public List<LevelRun> run(List<Level> levels) {
    List<LevelRun> runs = new ArrayList<>();
    for (int t = 0; t < plan.targets().size(); t++) {
      for (int l = 0; l < levels.size(); l++) runs.add(runLevel(t, l, levels.get(l)));
    }
    return runs;
  }

  /** Runs one level against target {@code t}: a fresh client, so no level inherits another's connections. */
  public LevelRun runLevel(int t, int l, Level level) {
    return runLevel(t, l, level, plan.durationNs());
  }

  /** As {@link #runLevel(int, int, Level)}, measuring for {@code durationNs} after the warm-up. */
  public LevelRun runLevel(int t, int l, Level level, long durationNs) {
    return runLevel(t, l, level, durationNs, Long.MIN_VALUE, 0, 1);
  }

  /**
   * One generator's share of a level ({@code --executor kubernetes}): as {@link #runLevel(int, int, Level, long)}, but the
   * level's time zero is {@code startNs} on this clock (the start all generators agreed on), and this generator's k-th
   * request is request {@code k * generators + generator} of the whole level, so warm-up, prompts, bodies and the request
   * limit are the whole level's.
   */
  public LevelRun runShare(int t, int l, Level level, long durationNs, long startNs, int generator, int generators) {
    return runLevel(t, l, level, durationNs, startNs, generator, generators);
  }

  private LevelRun runLevel(int t, int l, Level level, long durationNs, long agreedStartNs, int generator, int generators) {
    String url = plan.targets().get(t);
    progress.accept("level " + level.label() + " against " + url);
    RequestBodies bodies = new RequestBodies(plan);
    ConcurrentLinkedQueue<RequestRecord> records = new ConcurrentLinkedQueue<>();
    observer.levelStarted(t, url, level);
    int connections = Math.max(plan.connections(), level instanceof Level.Closed c ? c.concurrency() : 1);
    LoadEngine.Kind kind = engineKind != null ? engineKind : LoadEngine.kindFor(url, plan.http2());
    if (!warmUp) {
      if (kind == LoadEngine.Kind.NETTY) JitWarmUp.once(plan, prompts, progress);
      JitThreads.yieldToLoad(); // each level: the JVM may have started another compiler thread since
    }
    try (LoadEngine engine = LoadEngine.open(kind, url, connections, plan.http2(), plan.timeoutNs(), plan.headers(),
        ResponseReader.factory(plan), clock)) {
      engine.warm(Math.min(plan.timeoutNs(), 10_000_000_000L));
      CpuMeter.Mark cpu0 = CPU.mark();
      long wall0 = clock.nanoTime();
      long start = agreedStartNs != Long.MIN_VALUE ? agreedStartNs : wall0 + 2_000_000; // room to start the first request on time
      LoadObserver watcher = observer;
      Requests requests = new Requests(t, l, start, durationNs, bodies, r -> {
        records.add(r);
        watcher.requestDone(t, url, level, r);
      }, generator, generators);
      long lastFire = switch (level) {
        case Level.Open open -> runOpen(engine, open.arrivals(), requests);
        case Level.Closed closed -> runClosed(engine, closed.concurrency(), requests);
      };
      long deadline = lastFire + plan.timeoutNs() + 1_000_000_000L;
      while (engine.inFlight() > 0 && clock.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
      engine.abandonInFlight();
      long end = clock.nanoTime();
      double cpu = CPU.fractionSince(cpu0); // NaN where the runtime cannot measure it
      observer.levelEnded(t, url, level);
      return new LevelRun(t, url, l, level, start, end, cpu, engine.nativeTransport(), List.copyOf(records));
    }
  }

  private long runOpen(LoadEngine engine, Arrivals arrivals, Requests requests) {
    Arrivals.Cursor cursor = arrivals.cursor();
    long offset = cursor.next();
    long last = requests.start;
    while (offset >= 0 && requests.wanted(offset)) {
      long due = requests.start + offset;
      long ahead = engine.aheadNs(due - last);
      long spin = ahead > 0 ? 0 : spinNs(due - last);
      long wait;
      while ((wait = due - ahead - clock.nanoTime()) > spin) LockSupport.parkNanos(wait - spin);
      while (clock.nanoTime() < due - ahead) Thread.onSpinWait();
      long now = clock.nanoTime();
      do { // every request that is due (or to be handed over ahead), this wake
        requests.fire(engine, due, offset, null, ahead > 0);
        last = due;
        offset = cursor.next();
        due = requests.start + offset;
      } while (offset >= 0 && due - ahead <= now && requests.wanted(offset));
    }
    return Math.max(last, clock.nanoTime());
  }

  private long runClosed(LoadEngine engine, int users, Requests requests) {
    long[] lastFire = {requests.start};
    Object idle = new Object();
    AtomicInteger active = new AtomicInteger(users);
    Consumer<RequestRecord>[] loop = new Consumer[1];
    loop[0] = r -> {
      long now = clock.nanoTime();
      if (requests.wanted(now - requests.start)) {
        lastFire[0] = now;
        requests.fire(engine, now, now - requests.start, loop[0], false);
      } else if (active.decrementAndGet() == 0) {
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    };
    long wait;
    while ((wait = requests.start - clock.nanoTime()) > 0) LockSupport.parkNanos(wait);
    for (int u = 0; u < users; u++) {
      if (!requests.wanted(0)) {
        active.addAndGet(-(users - u));
        break;
      }
      requests.fire(engine, requests.start, 0, loop[0], false);
    }
    long stopBy = requests.start + (requests.perPrompt == null ? plan.warmupNs() + requests.durationNs : Long.MAX_VALUE / 4)
        + plan.timeoutNs() + 1_000_000_000L;
    synchronized (idle) {
      while (active.get() > 0 && clock.nanoTime() < stopBy) {
        try {
          idle.wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return lastFire[0];
  }

  /** Numbers, warm-up flags and prompts of a level's requests, and when the level has sent enough. */
  private final class Requests {
    final int target;
    final int level;
    final long start;
    final long durationNs;
    final RequestBodies bodies;
    final Consumer<RequestRecord> sink;
    final int[] perPrompt = plan.perPromptCounts();
    final AtomicInteger next = new AtomicInteger();
    final long limit;
    final int generator;
    final int generators;

    Requests(int target, int level, long start, long durationNs, RequestBodies bodies, Consumer<RequestRecord> sink,
        int generator, int generators) {
      this.generator = generator;
      this.generators = generators;
      this.target = target;
      this.level = level;
      this.start = start;
      this.durationNs = durationNs;
      this.bodies = bodies;
      this.sink = sink;
      this.limit = perPrompt != null ? (long) prompts.size() * (perPrompt[0] + perPrompt[1])
          : plan.requests() == null ? Long.MAX_VALUE : (long) plan.warmupRequests() + plan.requests();
    }

    /** Whether a request at {@code offsetNs} is still part of the level. */
    boolean wanted(long offsetNs) {
      if (global(next.get()) >= limit) return false;
      return perPrompt != null || offsetNs < plan.warmupNs() + durationNs;
    }

    /** The whole level's number of this generator's {@code local}-th request. */
    int global(int local) {
      return local * generators + generator;
    }

    void fire(LoadEngine engine, long scheduledNs, long offsetNs, Consumer<RequestRecord> then, boolean ahead) {
      int i = global(next.getAndIncrement());
      if (i >= limit) {
        if (then != null) then.accept(null);
        return;
      }
      int prompt;
      boolean warmup;
      if (perPrompt != null) {
        int block = perPrompt[0] + perPrompt[1];
        prompt = i / block;
        warmup = i % block < perPrompt[0];
      } else {
        prompt = prompts.sample(plan.seed(), i);
        warmup = i < plan.warmupRequests() || offsetNs < plan.warmupNs();
      }
      Consumer<RequestRecord> done = then == null ? sink : r -> {
        sink.accept(r);
        then.accept(r);
      };
      var call = new LoadEngine.Call(target, level, i, warmup, prompt, scheduledNs, bodies.body(prompts.get(prompt), i), done);
      if (ahead) {
        engine.fireAt(call);
      } else {
        engine.fire(call);
      }
    }
  }
}
