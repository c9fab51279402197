package io.genbench.execute;

import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Replays scripted events per case: an instant worker. */
public final class FakeExecutor implements Executor {
  public final List<List<String>> groups = new ArrayList<>();
  private final Function<TestCase, List<WorkerEvent>> script;

  public FakeExecutor(Function<TestCase, List<WorkerEvent>> script) {
    this.script = script;
  }

  /** A case that succeeds with two samples of the given e2e. */
  public static List<WorkerEvent> success(TestCase c, long e2eNs) {
    return List.of(new WorkerEvent.Loaded(c.id(), 1_000_000_000L, "random", 10L, Map.of("unet", 10L)),
        new WorkerEvent.Warmup(c.id(), 0, e2eNs),
        sample(c, 0, e2eNs), sample(c, 1, e2eNs),
        new WorkerEvent.Memory(c.id(), 2_000_000_000L, 3_000_000_000L, "cuda"),
        new WorkerEvent.Done(c.id()));
  }

  public static WorkerEvent.Sample sample(TestCase c, int i, long e2eNs) {
    List<Long> steps = new ArrayList<>();
    int n = c.diffusion().steps();
    for (int s = 0; s < n; s++) steps.add(e2eNs / (n + 2));
    return new WorkerEvent.Sample(c.id(), i, "measure", e2eNs, e2eNs / (n + 2), steps, e2eNs / (n + 2),
        c.batchSize(), null, null, null, null);
  }

  public static List<WorkerEvent> failure(TestCase c, FailureKind kind) {
    return List.of(new WorkerEvent.Failed(c.id(), kind, "scripted " + kind.wire()), new WorkerEvent.Done(c.id()));
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    groups.add(cases.stream().map(TestCase::id).toList());
    sink.event(new WorkerEvent.Hello(null, "fake", 1, "fake", null, null, null, "cuda", List.of(), null, "test"));
    for (TestCase c : cases) {
      sink.log(c.id(), "running " + c.id());
      script.apply(c).forEach(sink::event);
    }
  }

  @Override
  public String backend() {
    return "fake";
  }
}
