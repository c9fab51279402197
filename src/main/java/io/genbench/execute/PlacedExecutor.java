package io.genbench.execute;

import io.genbench.env.Placement;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prices every case as the detected placement of this host ({@code --detect-instance}): before a case's first event
 * it sends a {@code price} event with the detected instance type, lifecycle and zone, which replaces the runner's.
 */
public final class PlacedExecutor extends ForwardingExecutor {
  private final Placement placement;
  private final Pricer pricer;

  public PlacedExecutor(Executor delegate, Placement placement, Pricer pricer) {
    super(delegate);
    this.placement = placement;
    this.pricer = pricer;
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    Map<String, TestCase> byId = new java.util.HashMap<>();
    cases.forEach(c -> byId.put(c.id(), c));
    Set<String> priced = new HashSet<>();
    delegate.execute(cases, settings, watched(sink, event -> {}, event -> {
      String id = event.caseId();
      // the first event opens the case in the runner; the price follows the runner's own and replaces it
      if (id != null && byId.containsKey(id) && priced.add(id)) sink.event(pricer.priced(byId.get(id), placement));
    }));
  }
}
