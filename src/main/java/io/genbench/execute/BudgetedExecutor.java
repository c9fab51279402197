package io.genbench.execute;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.Lifecycle;
import io.genbench.cost.PriceSource;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stops launching work once the money spent reaches a budget ({@code genbench run --budget-usd}). Spend is the
 * measured wall time of each case (first event to {@code done}, model build included) times the hourly price it is
 * costed at (the lifecycle's: spot or on-demand; as the actual instance when known). Checked before each
 * {@link #execute} call, that is before each worker (a model group; with Kubernetes, each Job): a group that
 * starts under the budget runs to its end. The cases not run get a {@code failed} of kind {@code skipped} saying
 * why, and are listed by {@link #notRun()}.
 */
public final class BudgetedExecutor extends ForwardingExecutor {
  private static final BigDecimal NANOS_PER_HOUR = BigDecimal.valueOf(3_600_000_000_000L);

  /**
   * How spend is priced.
   *
   * @param budgetUsd stop launching when spend reaches this, USD
   * @param lifecycle which hourly price is paid
   * @param region pricing region
   * @param actualInstance the instance type the cases run on, or null for each case's requested type
   */
  public record Budget(BigDecimal budgetUsd, Lifecycle lifecycle, String region, String actualInstance) {}

  private final Budget budget;
  private final PriceSource prices;
  private final Ticker ticker;
  private BigDecimal spentUsd = BigDecimal.ZERO;
  private final List<String> notRun = new ArrayList<>();

  public BudgetedExecutor(Executor delegate, Budget budget, PriceSource prices, Ticker ticker) {
    super(delegate);
    this.budget = budget;
    this.prices = prices;
    this.ticker = ticker;
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    if (spentUsd.compareTo(budget.budgetUsd()) >= 0) {
      String why = "not run: the budget of $" + budget.budgetUsd().toPlainString() + " was spent ($"
          + io.genbench.cost.CostModel.round(spentUsd).toPlainString() + " measured)";
      for (TestCase c : cases) {
        notRun.add(c.id());
        sink.event(new WorkerEvent.Failed(c.id(), FailureKind.BUDGET, why));
        sink.event(new WorkerEvent.Done(c.id()));
      }
      return;
    }
    Map<String, TestCase> byId = new HashMap<>();
    cases.forEach(c -> byId.put(c.id(), c));
    Map<String, Long> startedNs = new HashMap<>();
    delegate.execute(cases, settings, watched(sink, event -> {
      String id = event.caseId();
      if (id != null && byId.containsKey(id)) {
        long now = ticker.read();
        startedNs.putIfAbsent(id, now);
        if (event instanceof WorkerEvent.Done) spend(byId.get(id), now - startedNs.get(id));
      }
    }, event -> {}));
  }

  private synchronized void spend(TestCase c, long nanos) {
    hourly(c).ifPresent(usdPerHour -> spentUsd = spentUsd.add(usdPerHour.multiply(BigDecimal.valueOf(nanos))
        .divide(NANOS_PER_HOUR, MathContext.DECIMAL64)));
  }

  /** The hourly price a case pays, by the budget's lifecycle; empty when unknown (it then costs nothing here). */
  Optional<BigDecimal> hourly(TestCase c) {
    String type = budget.actualInstance() != null ? budget.actualInstance() : c.instanceType();
    Optional<InstancePrice> p = prices.lookup(type, budget.region());
    return p.map(budget.lifecycle()::hourly);
  }

  /** Money spent so far, USD (unrounded). */
  public synchronized BigDecimal spentUsd() {
    return spentUsd;
  }

  /** Cases not run because the budget was spent, in the order they would have run. */
  public synchronized List<String> notRun() {
    return List.copyOf(notRun);
  }
}
