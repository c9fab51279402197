package io.genbench.execute;

import io.genbench.cost.InstancePrice;
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
import java.util.Optional;

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
   * @param lifecycle {@code spot} or {@code ondemand}: which price is the actual one
   * @param region pricing region
   * @param actualInstance the instance type the cases really run on, or null to price each as requested
   */
  public record Pricing(String lifecycle, String region, String actualInstance) {}

  private final Executor executor;
  private final RunDirectory dir;
  private final PriceSource prices;
  private final Pricing pricing;
  private final CaseCompletion completion;
  private final Progress progress;

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
    Sink sink = new Sink(plan, cases, 1);
    for (TestCase c : cases) {
      sink.event(new WorkerEvent.Failed(c.id(), FailureKind.SKIPPED, reasons.get(c.id())));
      sink.event(new WorkerEvent.Done(c.id()));
    }
  }

  /** Runs every case of the plan that has no result yet, once each; returns how many ran. */
  public int run(Plan plan) {
    return run(plan, 1);
  }

  /**
   * Runs every case of the plan that has no result yet, {@code trials} times, as JMH runs forks: each trial of a
   * model group is a fresh {@link Executor#execute} call (a fresh worker process, a fresh CUDA context), and the
   * trials are interleaved (A B C, A B C, …) so drift of the machine hits every case alike. A case that fails in a
   * trial is finished there: its later trials would measure nothing new. Returns how many cases ran.
   */
  public int run(Plan plan, int trials) {
    if (trials < 1) throw new IllegalArgumentException("trials must be >= 1, was " + trials);
    List<TestCase> todo = plan.cases().stream().filter(c -> !dir.isDone(c.id())).toList();
    int skipped = plan.cases().size() - todo.size();
    progress.start(plan.cases().size(), skipped);
    Map<String, List<TestCase>> byModel = new LinkedHashMap<>();
    for (TestCase c : todo) byModel.computeIfAbsent(c.model().id(), k -> new ArrayList<>()).add(c);
    // the worker keeps one built model, keyed also by precision and attention: order each group by them (stably)
    // so a model is built once per precision and attention rather than once per case
    byModel.values().forEach(group -> group.sort(java.util.Comparator.comparing((TestCase c) -> c.precision())
        .thenComparing(TestCase::attention)));
    Sink sink = new Sink(plan, todo, trials);
    for (int t = 1; t <= trials; t++) {
      sink.trial = t;
      for (List<TestCase> all : byModel.values()) {
        List<TestCase> group = all.stream().filter(c -> !sink.finished.contains(c.id())).toList();
        if (group.isEmpty()) continue;
        try {
          executor.execute(group, plan.settings(), sink);
        } catch (RuntimeException e) {
          // an executor that breaks must not end the sweep: its unfinished cases become infrastructure failures
          sink.abandonOpenCase();
          for (TestCase c : group) {
            if (sink.finished.contains(c.id()) || sink.trialDone.contains(c.id())) continue;
            sink.event(new WorkerEvent.Failed(c.id(), FailureKind.INFRASTRUCTURE, "the executor failed: " + e));
            sink.event(new WorkerEvent.Done(c.id()));
          }
        }
        sink.abandonOpenCase();
      }
      sink.trialDone.clear();
    }
    progress.finish();
    return todo.size();
  }

  private final class Sink implements CaseSink {
    private final Map<String, TestCase> cases = new LinkedHashMap<>();
    private final Plan plan;
    private WorkerEvent.Hello hello;
    private String openId;
    private EventLog open;
    /** Log lines of cases not begun yet (key null: not attributed), written when their case begins. */
    private final Map<String, List<String>> pendingLog = new LinkedHashMap<>();
    /** Cases whose last trial ended, or that failed: their result is written. */
    final java.util.Set<String> finished = new java.util.HashSet<>();
    /** Cases whose current trial ended. */
    final java.util.Set<String> trialDone = new java.util.HashSet<>();
    private final int trials;
    int trial = 1;
    private boolean openFailed;

    Sink(Plan plan, List<TestCase> todo, int trials) {
      this.plan = plan;
      this.trials = trials;
      todo.forEach(c -> cases.put(c.id(), c));
    }

    @Override
    public void event(WorkerEvent event) {
      event(event, null);
    }

    @Override
    public void event(WorkerEvent event, String line) {
      if (event instanceof WorkerEvent.Hello h) {
        hello = h;
        return;
      }
      String id = event.caseId();
      if (id == null || !cases.containsKey(id) || finished.contains(id) || (trialDone.contains(id) && !id.equals(openId))) {
        log(openId, "genbench: ignored an event for unknown case " + id + ": " + WorkerEvent.toLine(event));
        return;
      }
      if (!id.equals(openId)) begin(id);
      if (line == null) open.append(event);
      else open.append(event, line);
      if (event instanceof WorkerEvent.Failed) openFailed = true;
      if (event instanceof WorkerEvent.Iteration it) progress.iteration(id, it.iterationLabel());
      if (event instanceof WorkerEvent.Done) end();
    }

    @Override
    public void log(String caseId, String line) {
      if (open != null && (caseId == null || caseId.equals(openId))) open.log(line);
      else if (caseId != null && finished.contains(caseId)) dir.appendLog(caseId, line);
      else pendingLog.computeIfAbsent(caseId, k -> new ArrayList<>()).add(line);
    }

    private void begin(String id) {
      if (open != null) abandonOpenCase();
      TestCase c = cases.get(id);
      openId = id;
      openFailed = false;
      if (trial == 1) {
        open = dir.startCase(id);
        WorkerCase spec = executor.spec(c, plan.settings());
        open.append(new WorkerEvent.CaseSpec(id, spec));
        open.append(priced(c));
      } else {
        open = dir.continueCase(id);
      }
      if (trials > 1) open.append(new WorkerEvent.Trial(id, trial, trials));
      if (hello != null) open.append(hello);
      for (String key : java.util.Arrays.asList(null, id)) {
        List<String> lines = pendingLog.remove(key);
        if (lines != null) lines.forEach(open::log);
      }
      progress.caseStarted(id);
    }

    private void end() {
      String id = openId;
      open.close();
      open = null;
      openId = null;
      trialDone.add(id);
      if (trial < trials && !openFailed) {
        progress.caseFinished(id, "trial " + trial + " of " + trials + " done");
        return;
      }
      finished.add(id);
      String summary = completion.finish(id);
      progress.caseFinished(id, summary);
    }

    /** An executor that returned with a case still open broke its contract: record that case as failed. */
    void abandonOpenCase() {
      if (open == null) return;
      String id = openId;
      open.append(new WorkerEvent.Failed(id, FailureKind.INFRASTRUCTURE, "the executor stopped without finishing this case"));
      open.append(new WorkerEvent.Done(id));
      end();
    }
  }

  private WorkerEvent.Priced priced(TestCase c) {
    // priced as the instance it ran on when the user said which; else as the requested type, measured here
    String instance = pricing.actualInstance() == null ? c.instanceType() : pricing.actualInstance();
    Optional<InstancePrice> p = prices.lookup(instance, pricing.region());
    // a case on some of an instance's GPUs pays that share of it: 1 GPU of a p5.48xlarge costs 1/8 of its price
    double share = p.filter(ip -> ip.gpus() > c.gpus()).map(ip -> (double) c.gpus() / ip.gpus()).orElse(1.0);
    return new WorkerEvent.Priced(c.id(), c.instanceType(), pricing.actualInstance(), instance, pricing.lifecycle(), pricing.region(), null,
        p.map(InstancePrice::spotUsdPerHour).map(v -> v.doubleValue() * share).orElse(null),
        p.map(InstancePrice::ondemandUsdPerHour).map(v -> v.doubleValue() * share).orElse(null),
        p.map(InstancePrice::source).orElse("none"), p.map(InstancePrice::asOf).orElse(null), share);
  }
}
