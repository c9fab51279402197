package io.genbench.execute;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.Lifecycle;
import io.genbench.cost.PriceSource;
import io.genbench.env.Placement;
import io.genbench.plan.TestCase;
import io.genbench.wire.WorkerEvent;
import java.util.Optional;

/**
 * The {@code price} event of a case whose placement was detected (instance type, lifecycle, zone): priced as the
 * instance it ran on, at its zone's spot price. Executors that learn the placement while a case runs (Kubernetes:
 * the node of the pod) send it after the runner's; the last {@code price} event of a case is the one that counts.
 */
public final class Pricer {
  private final PriceSource prices;
  private final String region;
  private final Lifecycle defaultLifecycle;

  /** @param defaultLifecycle the lifecycle when the placement does not say ({@code --lifecycle}) */
  public Pricer(PriceSource prices, String region, Lifecycle defaultLifecycle) {
    this.prices = prices;
    this.region = region;
    this.defaultLifecycle = defaultLifecycle;
  }

  public WorkerEvent.Priced priced(TestCase c, Placement where) {
    String actual = where == null ? null : where.instanceType();
    String instance = actual != null ? actual : c.instanceType();
    // a placement knows only spot or ondemand (Placement.lifecycle), or nothing
    Lifecycle lifecycle = where != null && where.lifecycle() != null ? Lifecycle.parse(where.lifecycle(), "the detected placement")
        : defaultLifecycle;
    String zone = where == null ? null : where.zone();
    return event(c, actual, instance, lifecycle, region, zone, prices.lookup(instance, region, zone));
  }

  /**
   * The one builder of a case's {@code price} event (the runner's, before a case runs, and this class's, once its
   * placement is known): the price of {@code instance}, of which a case on some of its GPUs pays that share (1 GPU of a
   * p5.48xlarge costs 1/8 of its price).
   *
   * @param actual the instance type the case ran on when known (detected or declared), else null
   * @param instance the instance type it is priced as
   */
  static WorkerEvent.Priced event(TestCase c, String actual, String instance, Lifecycle lifecycle, String region, String zone,
      Optional<InstancePrice> p) {
    double share = p.filter(ip -> ip.gpus() > c.resources().gpus()).map(ip -> (double) c.resources().gpus() / ip.gpus()).orElse(1.0);
    return new WorkerEvent.Priced(c.id(), c.instanceType(), actual, instance, lifecycle.label(), region, zone,
        p.map(InstancePrice::spotUsdPerHour).map(v -> v.doubleValue() * share).orElse(null),
        p.map(InstancePrice::ondemandUsdPerHour).map(v -> v.doubleValue() * share).orElse(null),
        p.map(InstancePrice::source).orElse("none"), p.map(InstancePrice::asOf).orElse(null), share);
  }
}
