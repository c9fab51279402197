package io.genbench.execute;

import io.genbench.cost.PriceSource;
import io.genbench.plan.Plan;
import io.genbench.plan.TestCase;
import io.genbench.store.RunDirectory.EventLog;
import io.genbench.store.RunDirectory;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a plan's unfinished cases through an executor, grouped by model so each worker builds a model once, and writes
 * every event to its case's {@code events.jsonl} as it arrives. When a case's {@code done} arrives the
 * {@link CaseCompletion} turns its events into {@code result.json}, which marks it finished for {@code --resume}.
 */
public final class Runner {

  /** Derives and stores a finished case's result; returns a one-line summary for the progress log. */
  @FunctionalInterface
  public interface CaseCompletion {
    String finish(String caseId);
  }

  /**
   * How the run is priced.
   *
   * @param lifecycle which price is the actual one (spot or on-demand)
   * @param region pricing region
   * @param actualInstance the instance type the cases really run on, or null to price each as requested
   */
  public record Pricing(io.genbench.cost.Lifecycle lifecycle, String region, String actualInstance) {}

  private final Executor executor;
  private final RunDirectory dir;
  private final PriceSource prices;
  private final Pricing pricing;
  private final CaseCompletion completion;
  private final Progress progress;
  /** Cases {@link #skip} recorded in this process: done, but neither resumed nor counted by the progress line. */
  private final java.util.Set<String> skippedNow = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Each case's expected seconds per trial for the progress line's ETA, or null: then {@link #run}'s estimate if measured. */
  private java.util.function.ToDoubleFunction<TestCase> expected;
  /** Cases recorded from the case they are the same work as instead of running ({@link Twins}); none unless set. */
  private Twins twins = Twins.NONE;

  public Runner(Executor executor, RunDirectory dir, PriceSource prices, Pricing pricing, CaseCompletion completion, Progress progress) {
    this.executor = executor;
    this.dir = dir;
    this.prices = prices;
    this.pricing = pricing;
    this.completion = completion;
    this.progress = progress;
  }

  /**
   * Records cases the backend cannot run as skipped (a {@code failed} of kind {@code skipped} with the reason), without
   * running them; each gets its result.json like any finished case.
   */
  public void skip(Plan plan, Map<String, String> reasons) {
    List<TestCase> cases = plan.cases().stream().filter(c -> reasons.containsKey(c.id()) && !dir.isDone(c.id())).toList();
    Sink sink = new Sink(new Shared(plan, 1, 1), null, 1, cases);
    for (TestCase c : cases) {
      skippedNow.add(c.id());
      sink.event(new WorkerEvent.Failed(c.id(), FailureKind.SKIPPED, reasons.get(c.id())));
      sink.event(new WorkerEvent.Done(c.id()));
    }
  }

  /**
   * Each case's expected wall seconds per trial ({@link Estimator}): the progress line's ETA scales them by how the
   * finished cases compared with theirs. Without it the ETA counts the mean time of the finished trials.
   */
  public Runner expecting(java.util.function.ToDoubleFunction<TestCase> secondsPerTrial) {
    this.expected = secondsPerTrial;
    return this;
  }

  /**
   * Measures each piece of work once: a twin (a case that differs from an earlier one of the plan only in what it is
   * priced as) is not run, but recorded from its measured case when that one finished, after its last trial or its
   * failure, or at once when an earlier run finished it ({@code --resume}). For executors whose cases all run on one
   * device only.
   */
  public Runner measuringOnce(Twins sameWork) {
    this.twins = sameWork;
    return this;
  }

  /** Runs every case of the plan that has no result yet, once each; returns how many ran. */
  public int run(Plan plan) {
    return run(plan, 1);
  }

  /**
   * Runs every case of the plan that has no result yet, {@code trials} times: each trial of a model group is its own
   * {@link Executor#execute} call, and the trials are interleaved (A B C, A B C, …) so drift of the machine hits every
   * case alike. The local executor runs every call in one kept worker process (no start, import or CUDA init per
   * trial; a model stays built only while no other group came between, so with several groups each trial builds its
   * model again); {@code genbench run --fresh-workers} gives each trial a fresh worker process and CUDA context, as
   * JMH's forks do, for when process-level state (allocator, cuDNN autotuning, clocks) is the variance to sample. A case that fails in a
   * trial is finished there: its later trials would measure nothing new. Returns how many cases ran.
   */
  public int run(Plan plan, int trials) {
    return run(plan, trials, List.of(new Slot(null, executor)));
  }

  /**
   * One place where a worker runs: a GPU of this host (its index as {@code CUDA_VISIBLE_DEVICES} takes it) and the
   * executor whose workers use only that GPU.
   *
   * @param gpu the GPU's index, or null for the one-worker run (no slot recorded)
   */
  public record Slot(String gpu, Executor executor) {}

  /** As {@link #run(Plan, int, List, java.util.function.ToDoubleFunction, boolean)} with {@link #work} as the estimate. */
  public int run(Plan plan, int trials, List<Slot> slots) {
    return run(plan, trials, slots, Runner::work, false);
  }

  /**
   * As {@link #run(Plan, int)}, with one worker per slot at once: a free slot takes the next group of cases (a model
   * at one precision and attention: the worker builds a model once per those anyway), largest estimated work first
   * so the last group to finish is a small one; a group estimated to take more than its share of the whole run
   * (total / slots) is split into its cases, since it alone would decide the wall time. A group's next trial goes to
   * the back of the queue when its trial ends, so trials stay interleaved and one case never runs twice at once. With
   * more than one slot every case records the GPU it ran on and how many other workers ran beside it (a {@code slot}
   * event), so a figure measured beside neighbours says so.
   *
   * <p>When the estimates are measured (seconds of an earlier run of the same cases), the groups are instead assigned to
   * the slots up front, longest first to the least loaded slot, and each slot runs its share as one job in one worker
   * per trial: the estimate is good enough to balance by, and a worker start, CUDA initialisation and the framework's
   * warm-up per group are saved.
   *
   * @param estimate a case's expected wall time in any unit shared by all cases (only ratios matter): seconds from an
   *     earlier run of the plan, or {@link #work}
   * @param measured the estimates are measured seconds, not a rough size
   */
  public int run(Plan plan, int trials, List<Slot> slots, java.util.function.ToDoubleFunction<TestCase> estimate,
      boolean measured) {
    if (trials < 1) throw new IllegalArgumentException("trials must be >= 1, was " + trials);
    if (slots.isEmpty()) throw new IllegalArgumentException("no slot to run on");
    List<TestCase> todo = plan.cases().stream().filter(c -> !dir.isDone(c.id()) && !twins.isTwin(c.id())).toList();
    int counted = (int) plan.cases().stream().filter(c -> !skippedNow.contains(c.id()) && !twins.isTwin(c.id())).count();
    progress.start(counted, counted - todo.size(), trials);
    progress.twins((int) twins.ids().stream().filter(id -> !dir.isDone(id)).count(), twins.size());
    if (measured || expected != null) {
      java.util.Map<String, Double> each = new java.util.HashMap<>();
      for (TestCase c : todo) each.put(c.id(), expected != null ? expected.applyAsDouble(c) : estimate.applyAsDouble(c));
      progress.expect(each, slots.size());
    }
    Shared shared = new Shared(plan, trials, slots.size());
    // twins of cases an earlier run finished (--resume) are recorded from them now: nothing to run for them
    plan.cases().stream().filter(c -> dir.isDone(c.id())).forEach(c -> recordTwins(c.id(), shared));
    java.util.ArrayDeque<Work> queue = new java.util.ArrayDeque<>();
    (slots.size() > 1 ? groups(todo, slots.size(), estimate) : groups(todo, false)).forEach(g -> queue.add(new Work(g, 1)));
    if (slots.size() == 1) {
      Work w;
      while ((w = queue.poll()) != null) {
        runGroup(slots.getFirst(), w, shared);
        if (w.trial() < trials) queue.add(new Work(w.cases(), w.trial() + 1));
      }
    } else {
      List<Thread> threads = new ArrayList<>();
      List<List<TestCase>> shares = measured ? assign(new ArrayList<>(queue).stream().map(Work::cases).toList(),
          slots.size(), estimate) : null;
      // what would end a one-worker run (a disk that cannot take a case's events) ends this one too, once every slot
      // stopped: the first such error is rethrown here rather than lost with its thread
      java.util.concurrent.atomic.AtomicReference<RuntimeException> broke = new java.util.concurrent.atomic.AtomicReference<>();
      for (int i = 0; i < slots.size(); i++) {
        Slot slot = slots.get(i);
        List<TestCase> share = shares == null ? null : shares.get(i);
        if (share != null && share.isEmpty()) continue;
        Runnable body = share != null ? () -> {
          for (int t = 1; t <= trials; t++) runGroup(slot, new Work(share, t), shared);
        } : () -> {
          Work w;
          while ((w = shared.take(queue)) != null) {
            try {
              runGroup(slot, w, shared);
            } finally {
              shared.release(queue, w);
            }
          }
        };
        threads.add(Thread.ofPlatform().name("slot-gpu" + slot.gpu()).start(() -> {
          try {
            body.run();
          } catch (RuntimeException e) {
            broke.compareAndSet(null, e);
          }
        }));
      }
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while cases ran", e);
        }
      }
      if (broke.get() != null) throw broke.get();
    }
    progress.finish();
    return todo.size();
  }

  /** A group of cases and which trial of them to run. */
  private record Work(List<TestCase> cases, int trial) {}

  /**
   * The groups cases run in one at a time: by model, each ordered by precision and attention (the worker keeps one
   * built model, keyed also by those, so a model is built once per precision and attention rather than once per case).
   */
  static List<List<TestCase>> groups(List<TestCase> todo, boolean byPrecision) {
    Map<String, List<TestCase>> byKey = new LinkedHashMap<>();
    for (TestCase c : todo) {
      String key = byPrecision ? c.model().id() + "|" + c.precision() + "|" + c.knobs().attention() : c.model().id();
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
    }
    byKey.values().forEach(group -> group.sort(java.util.Comparator.comparing((TestCase c) -> c.precision())
        .thenComparing((TestCase c) -> c.knobs().attention())));
    return new ArrayList<>(byKey.values());
  }

  /**
   * The groups for several slots: each model split by precision and attention too (no extra build), a group whose
   * estimate exceeds the ideal share of one slot (total / slots) split into single cases, then ordered by estimate,
   * largest first (longest-processing-time-first scheduling).
   */
  static List<List<TestCase>> groups(List<TestCase> todo, int slots, java.util.function.ToDoubleFunction<TestCase> estimate) {
    java.util.function.ToDoubleFunction<List<TestCase>> size = g -> g.stream().mapToDouble(estimate).sum();
    double share = todo.stream().mapToDouble(estimate).sum() / slots;
    List<List<TestCase>> groups = new ArrayList<>();
    for (List<TestCase> g : groups(todo, true)) {
      if (g.size() > 1 && size.applyAsDouble(g) > share) g.forEach(c -> groups.add(List.of(c)));
      else groups.add(g);
    }
    groups.sort(java.util.Comparator.comparingDouble((List<TestCase> g) -> -size.applyAsDouble(g)));
    return groups;
  }

  /**
   * Longest-processing-time-first assignment: each group, largest first, to the slot with the least estimated load so
   * far (ties: the lower slot). Returns each slot's cases, its groups in the order assigned.
   */
  static List<List<TestCase>> assign(List<List<TestCase>> groups, int slots, java.util.function.ToDoubleFunction<TestCase> estimate) {
    List<List<TestCase>> shares = new ArrayList<>();
    double[] load = new double[slots];
    for (int i = 0; i < slots; i++) shares.add(new ArrayList<>());
    List<List<TestCase>> sorted = new ArrayList<>(groups);
    sorted.sort(java.util.Comparator.comparingDouble((List<TestCase> g) -> -g.stream().mapToDouble(estimate).sum()));
    for (List<TestCase> g : sorted) {
      int least = 0;
      for (int i = 1; i < slots; i++) if (load[i] < load[least]) least = i;
      shares.get(least).addAll(g);
      load[least] += g.stream().mapToDouble(estimate).sum();
    }
    return shares;
  }

  /**
   * A rough size of a case's wall time where nothing better is known, only to order and split groups: a fixed part
   * (worker start, model build, warm-up) worth one float16 512² 20-step request, plus the request's work: pixels ×
   * steps × batch (× frames, × tokens) × the model's relative cost per pixel-step (SDXL's UNet does about 1.8× the
   * FLOPs of SD's at the same resolution), × 5 for float32 (no TF32 on tensor cores: 4–6× float16 measured on H100
   * and H200).
   */
  public static double work(TestCase c) {
    double model = switch (c.model().family()) {
      case SDXL -> 1.8;
      case SVD -> 1.5;
      default -> 1.0;
    };
    double w = c.batchSize() * model * switch (c.workload()) {
      // an LLM request: its tokens over the 8×8 "image" its cases used to carry (the ordering this rough size gives stays)
      case io.genbench.plan.Workload.Llm l -> 64.0 * (l.promptTokens() + l.outputTokens());
      case io.genbench.plan.Workload.Diffusion d -> (double) d.steps() * Math.max(1, (double) d.resolution().width() * d.resolution().height())
          * Math.max(1, d.frames() == null ? 1 : d.frames());
    };
    double fixed = 512.0 * 512 * 20;
    return fixed + (c.precision() == io.genbench.plan.Precision.FLOAT32 ? 5 * w : w);
  }

  private void runGroup(Slot slot, Work work, Shared shared) {
    List<TestCase> group = work.cases().stream().filter(c -> !shared.isFinished(c.id())).toList();
    if (group.isEmpty()) return;
    Sink sink = new Sink(shared, slot.gpu(), work.trial(), group);
    shared.active(+1);
    try {
      sink.executing(progress.now());
      slot.executor().execute(group, shared.plan.settings(), sink);
    } catch (RuntimeException e) {
      // an executor that breaks must not end the sweep: its unfinished cases become infrastructure failures
      sink.abandonOpenCase();
      for (TestCase c : group) {
        if (shared.isFinished(c.id()) || sink.trialDone.contains(c.id())) continue;
        sink.event(new WorkerEvent.Failed(c.id(), FailureKind.INFRASTRUCTURE, "the executor failed: " + e));
        sink.event(new WorkerEvent.Done(c.id()));
      }
    } finally {
      sink.abandonOpenCase();
      shared.active(-1);
    }
  }

  /** What the slots share: finished cases, the work queue's state, who runs beside whom. */
  private final class Shared {
    final Plan plan;
    final int trials;
    final int slots;
    private final java.util.Set<String> finished = new java.util.HashSet<>();
    private final List<Sink> open = new ArrayList<>();
    private int active;
    private int inFlight;

    Shared(Plan plan, int trials, int slots) {
      this.plan = plan;
      this.trials = trials;
      this.slots = slots;
    }

    synchronized boolean isFinished(String id) {
      return finished.contains(id);
    }

    synchronized void finish(String id) {
      finished.add(id);
    }

    /** The next group, waiting while the queue is empty but a running group may still add its next trial. */
    synchronized Work take(java.util.ArrayDeque<Work> queue) {
      while (queue.isEmpty() && inFlight > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      Work w = queue.poll();
      if (w != null) inFlight++;
      return w;
    }

    synchronized void release(java.util.ArrayDeque<Work> queue, Work w) {
      inFlight--;
      if (w.trial() < trials) queue.add(new Work(w.cases(), w.trial() + 1));
      notifyAll();
    }

    /** A slot started (+1) or stopped (−1) a worker: every open case notes how many others run beside it now. */
    synchronized void active(int delta) {
      active += delta;
      for (Sink s : open) s.neighbours(active - 1);
    }

    synchronized void opened(Sink s) {
      open.add(s);
      s.neighbours(active - 1);
    }

    synchronized void closed(Sink s) {
      open.remove(s);
    }
  }

  /** The events of one group's trial on one slot. Called from that slot's thread only. */
  private final class Sink implements CaseSink {
    private final Map<String, TestCase> cases = new LinkedHashMap<>();
    private final Shared shared;
    private final String gpu;
    private WorkerEvent.Hello hello;
    private String openId;
    private EventLog open;
    /** Log lines of cases not begun yet (key null: not attributed), written when their case begins. */
    private final Map<String, List<String>> pendingLog = new LinkedHashMap<>();
    /** Cases of this group whose trial ended. */
    final java.util.Set<String> trialDone = new java.util.HashSet<>();
    private final int trial;
    private boolean openFailed;
    private int neighboursMin;
    private int neighboursMax;
    /** When the executor was called, when the worker said hello, when its last case ended (ticker ns); null: not yet. */
    private Long executeNs;
    private Long helloNs;
    private Long lastDoneNs;

    Sink(Shared shared, String gpu, int trial, List<TestCase> group) {
      this.shared = shared;
      this.gpu = gpu;
      this.trial = trial;
      group.forEach(c -> cases.put(c.id(), c));
    }

    @Override
    public void event(WorkerEvent event) {
      event(event, null);
    }

    @Override
    public void event(WorkerEvent event, String line) {
      if (event instanceof WorkerEvent.Hello h) {
        hello = h;
        if (helloNs == null) helloNs = progress.now();
        return;
      }
      String id = event.caseId();
      if (id == null || !cases.containsKey(id) || shared.isFinished(id) || (trialDone.contains(id) && !id.equals(openId))) {
        log(openId, "genbench: ignored an event for unknown case " + id + ": " + WorkerEvent.toLine(event));
        return;
      }
      if (!id.equals(openId)) begin(id);
      if (event instanceof WorkerEvent.Done && gpu != null && shared.slots > 1) {
        open.append(new WorkerEvent.Slot(id, gpu, shared.slots, neighboursMin(), neighboursMax()));
      }
      if (event instanceof WorkerEvent.Done) timing(id);
      if (line == null) open.append(event);
      else open.append(event, line);
      if (event instanceof WorkerEvent.Failed) openFailed = true;
      if (event instanceof WorkerEvent.Iteration it) progress.iteration(id, it.iterationLabel());
      if (event instanceof WorkerEvent.Done) end();
    }

    /** A kept worker's hello: its cases carry it, and none of them waited for a worker's start ({@code start_ns} null). */
    @Override
    public void helloAgain(WorkerEvent.Hello h, String line) {
      hello = h;
    }

    @Override
    public void log(String caseId, String line) {
      if (open != null && (caseId == null || caseId.equals(openId))) open.log(line);
      else if (caseId != null && shared.isFinished(caseId)) dir.appendLog(caseId, line);
      else pendingLog.computeIfAbsent(caseId, k -> new ArrayList<>()).add(line);
    }

    void executing(long nowNs) {
      executeNs = nowNs;
    }

    /** The case's {@code timing} event: how long it held the worker (none for cases recorded without running). */
    private void timing(String id) {
      if (executeNs == null) return;
      long now = progress.now();
      boolean first = lastDoneNs == null;
      Long start = first && helloNs != null ? Math.max(0, helloNs - executeNs) : null;
      open.append(new WorkerEvent.Timing(id, Math.max(0, now - (first ? executeNs : lastDoneNs)), start));
      lastDoneNs = now;
    }

    /** Others running now, noted by {@link Shared} whenever that changes while this case is open. */
    void neighbours(int others) {
      synchronized (this) {
        neighboursMin = Math.min(neighboursMin, others);
        neighboursMax = Math.max(neighboursMax, others);
      }
    }

    private synchronized int neighboursMin() {
      return neighboursMin;
    }

    private synchronized int neighboursMax() {
      return neighboursMax;
    }

    private void begin(String id) {
      if (open != null) abandonOpenCase();
      TestCase c = cases.get(id);
      // the log first: a case whose events cannot be written (a StorageError) is not left half open
      EventLog log = trial == 1 ? dir.startCase(id) : dir.continueCase(id);
      openId = id;
      open = log;
      openFailed = false;
      if (trial == 1) {
        WorkerCase spec = executor.spec(c, shared.plan.settings());
        open.append(new WorkerEvent.CaseSpec(id, spec));
        open.append(priced(c));
      }
      if (shared.trials > 1) open.append(new WorkerEvent.Trial(id, trial, shared.trials));
      if (hello != null) open.append(hello);
      for (String key : java.util.Arrays.asList(null, id)) {
        List<String> lines = pendingLog.remove(key);
        if (lines != null) lines.forEach(open::log);
      }
      synchronized (this) {
        neighboursMin = Integer.MAX_VALUE;
        neighboursMax = 0;
      }
      shared.opened(this);
      if (!skippedNow.contains(id)) progress.caseStarted(id);
    }

    private void end() {
      String id = openId;
      open.close();
      open = null;
      openId = null;
      shared.closed(this);
      trialDone.add(id);
      if (trial < shared.trials && !openFailed) {
        progress.trialFinished(id, trial);
        return;
      }
      shared.finish(id);
      String summary;
      synchronized (shared) {
        summary = completion.finish(id);
      }
      if (skippedNow.contains(id)) progress.skipped(id, summary);
      else progress.caseFinished(id, summary, shared.trials - trial);
      if (!skippedNow.contains(id)) recordTwins(id, shared);
    }

    /** An executor that returned with a case still open broke its contract: record that case as failed. */
    void abandonOpenCase() {
      if (open == null) return;
      String id = openId;
      open.append(new WorkerEvent.Failed(id, FailureKind.INFRASTRUCTURE, "the executor stopped without finishing this case"));
      if (gpu != null && shared.slots > 1) open.append(new WorkerEvent.Slot(id, gpu, shared.slots, neighboursMin(), neighboursMax()));
      timing(id);
      open.append(new WorkerEvent.Done(id));
      end();
    }
  }

  /** Records the unfinished twins of a finished case from its events, each priced as its own instance type. */
  private void recordTwins(String measuredId, Shared shared) {
    for (TestCase t : twins.of(measuredId)) {
      if (dir.isDone(t.id())) continue;
      Twins.copy(dir, measuredId, t, new WorkerEvent.CaseSpec(t.id(), executor.spec(t, shared.plan.settings())), priced(t));
      String summary;
      synchronized (shared) {
        summary = completion.finish(t.id());
      }
      progress.recorded(t.id(), measuredId, summary);
    }
  }

  private WorkerEvent.Priced priced(TestCase c) {
    // priced as the instance it ran on when the user said which; else as the requested type, measured here
    String instance = pricing.actualInstance() == null ? c.instanceType() : pricing.actualInstance();
    return Pricer.event(c, pricing.actualInstance(), instance, pricing.lifecycle(), pricing.region(), null,
        prices.lookup(instance, pricing.region()));
  }
}
