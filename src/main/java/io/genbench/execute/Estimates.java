package io.genbench.execute;

import io.genbench.cost.CostModel;
import io.genbench.cost.Lifecycle;
import io.genbench.cost.PriceSource;
import io.genbench.env.HostCommand;
import io.genbench.env.HostInfo;
import io.genbench.plan.Plan;
import io.genbench.plan.TestCase;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's estimate on this machine, before anything runs: the {@link Estimator} of its plan (an earlier run of each
 * case, else a calibration of the embedded backend here, or the rate table for this host's GPU or for each instance
 * type's), and its cost. The dry run prints it; {@code --budget-usd}, {@code --gpus} placement and the ETA use it.
 */
public final class Estimates {
  private Estimates() {}

  /**
   * How a dry run prices its estimate: the hourly price of the lifecycle of each case's instance type (or of the actual
   * instance), times the estimated wall time.
   */
  public record Costing(PriceSource prices, String region, Lifecycle lifecycle, String actualInstance) {
    public BigDecimal usd(TestCase c, double seconds) {
      var p = prices.lookup(typeOf(c), region);
      if (p.isEmpty()) return null;
      var hourly = lifecycle.hourly(p.get());
      return hourly == null ? null : hourly.multiply(BigDecimal.valueOf(seconds / 3600), MathContext.DECIMAL64);
    }

    public String typeOf(TestCase c) {
      return actualInstance != null ? actualInstance : c.instanceType();
    }
  }

  /**
   * The plan's estimator on this machine: earlier runs under {@code results/} and beside {@code root}, then (only if a
   * case has none) a calibration of the embedded backend, or the rate table for this host's GPU (on Kubernetes: the GPU
   * each case's instance type has).
   *
   * @param backend the chosen backend (not {@link Backend#AUTO})
   */
  public static Estimator forRun(Plan plan, Executor ex, Backend backend, ExecutorKind where, Path root, Map<String, String> cannot) {
    String device = backend == Backend.ONNX ? HostInfo.cpuModel() : where == ExecutorKind.KUBERNETES ? null : gpu().orElse(null);
    return new Estimator(plan, ex.backend(), device, Estimator.earlierRuns(root), () -> costModel(plan, ex, backend, where, cannot));
  }

  private static Estimator.CostModel costModel(Plan plan, Executor ex, Backend backend, ExecutorKind where, Map<String, String> cannot) {
    if (backend == Backend.ONNX) {
      try {
        System.err.println("genbench: estimating: no earlier run of some cases here; calibrating the embedded backend on this"
            + " machine (a few seconds)");
        return Calibration.measure(ex, plan.cases().stream().filter(c -> !cannot.containsKey(c.id())).toList(), Ticker.SYSTEM);
      } catch (RuntimeException e) {
        System.err.println("genbench: the calibration failed (" + e.getMessage() + "); estimating from the rate table");
      }
    }
    // on a cluster the nodes run the cases: the GPU each case's instance type has
    if (where == ExecutorKind.KUBERNETES) return RateTable.byInstanceType();
    return new RateTable(backend == Backend.ONNX ? null : gpu().orElse(null));
  }

  private static String gpuName;

  /** The name of this host's first GPU (nvidia-smi, asked once), or empty when there is none. */
  public static synchronized Optional<String> gpu() {
    if (gpuName == null) {
      gpuName = HostCommand.output(List.of("nvidia-smi", "--query-gpu=name", "--format=csv,noheader"), Duration.ofSeconds(20))
          .map(s -> s.lines().findFirst().orElse("").trim()).orElse("");
    }
    return gpuName.isEmpty() ? Optional.empty() : Optional.of(gpuName);
  }

  /** The estimated cost of the whole run, USD; zero when unpriced. */
  public static BigDecimal usd(Plan plan, Map<String, String> cannot, int trials, Estimator estimator, Costing costing) {
    var each = estimator.estimates(cannot.keySet());
    BigDecimal total = BigDecimal.ZERO;
    for (TestCase c : plan.cases()) {
      Estimator.Estimate est = each.get(c.id());
      if (est == null) continue;
      var usd = costing.usd(c, est.seconds() * trials);
      if (usd != null) total = total.add(usd);
    }
    return CostModel.round(total);
  }
}
