package io.genbench.report;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.PriceCatalog;
import io.genbench.result.CaseResult;
import java.util.List;
import java.util.Optional;

/**
 * A case whose measured peak memory exceeds what the instance it is priced as has: its time was measured, but that
 * instance could not run it, so its cost is not an achievable one. GPU cases compare their reserved peak (the
 * allocator's, what the device had to hold) with the instance's memory per GPU; CPU cases compare their resident peak
 * (the process before the case plus the case's own rise) with the instance's host memory. Capacities come from the
 * bundled catalog; an instance type it does not know is never judged.
 *
 * @param instance the instance type the case is priced as
 * @param peakGb the measured peak, GB (10⁹ bytes)
 * @param capacityGb what the instance has, GB
 * @param what {@code GPU memory} or {@code host memory}
 */
public record MemoryFit(String instance, double peakGb, double capacityGb, String what) {
  private static final PriceCatalog CATALOG = PriceCatalog.bundled();

  /** The case's overflow, or empty when it fits, did not succeed, has no memory figure, or its instance is unknown. */
  public static Optional<MemoryFit> exceeded(CaseResult r) {
    if (!(r.outcome() instanceof CaseResult.Measured) || r.memory() == null) return Optional.empty();
    String instance = r.where() != null && r.where().pricedAs() != null ? r.where().pricedAs() : r.requestedInstance();
    if (instance == null) return Optional.empty();
    Optional<InstancePrice> known = CATALOG.lookup(instance, null);
    if (known.isEmpty()) return Optional.empty();
    InstancePrice p = known.get();
    CaseResult.Memory m = r.memory();
    Double gpu = m.gpuMemoryGb();
    if (gpu != null) {
      return p.gpuMemoryGb() > 0 && gpu > p.gpuMemoryGb() ? Optional.of(new MemoryFit(instance, gpu, p.gpuMemoryGb(), "GPU memory"))
          : Optional.empty();
    }
    if (!"rss-delta".equals(m.kind()) || m.baselineBytes() == null || p.memoryGib() <= 0) return Optional.empty();
    double host = (m.baselineBytes() + m.peakReservedBytes()) / 1e9;
    double capacity = p.memoryGib() * 1.073741824; // GiB to GB
    return host > capacity ? Optional.of(new MemoryFit(instance, host, capacity, "host memory")) : Optional.empty();
  }

  /** True when the case's cost can be had: it fits the instance it is priced as (or nothing says otherwise). */
  public static boolean fits(CaseResult r) {
    return exceeded(r).isEmpty();
  }

  /** E.g. {@code does not fit g6e.xlarge: 55.3 of 48 GB GPU memory}. */
  public String note() {
    return "does not fit " + instance + ": " + Figures.fixed(peakGb, 1) + " of " + Figures.fixed(capacityGb, 1) + " GB " + what;
  }

  /**
   * One line for the top of the views naming every case that does not fit, or null: e.g. {@code Does not fit the
   * instance it is priced as (its cost is not offered as achievable): a does not fit g6e.xlarge: 55.3 of 48 GB GPU memory.}
   */
  public static String summary(List<CaseResult> results) {
    List<String> lines = results.stream().flatMap(r -> exceeded(r).map(f -> r.caseId() + " " + f.note()).stream()).toList();
    return lines.isEmpty() ? null : "Does not fit the instance it is priced as (its cost is not offered as achievable): "
        + String.join("; ", lines) + ".";
  }
}
