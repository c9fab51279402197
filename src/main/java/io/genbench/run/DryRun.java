package io.genbench.run;

import io.genbench.Json;
import io.genbench.env.HostInfo;
import io.genbench.execute.Estimates;
import io.genbench.execute.Estimator;
import io.genbench.execute.Executor;
import io.genbench.execute.Twins;
import io.genbench.plan.Plan;
import io.genbench.plan.TestCase;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code genbench run --dry-run}: the cases, what each runs on, and an estimate of its wall time, running nothing. The
 * estimates are {@link Estimator}'s (an earlier run of the case, of its model scaled by work, a calibration of the
 * embedded backend on this machine, or a rough rate table for a GPU), each marked with its source; the total adds the
 * run's own start and views, and says how much of the machine time goes to measuring.
 */
final class DryRun {
  /**
   * The run's own wall time around its cases: the JVM, prices, and the report's views and charts (measured on the 2-core
   * VM: 3.2-4.6 s for runs of 4 and 12 cases).
   */
  static final double RUN_S = 4;
  static final double VIEWS_PER_CASE_S = 0.1;

  private DryRun() {}

  static String render(Plan plan, Executor ex, Map<String, String> cannot, Twins twins, int trials, Estimator estimator,
      Estimates.Costing costing) {
    boolean onnx = ex instanceof io.genbench.execute.onnx.OnnxExecutor;
    String device = onnx ? Optional.ofNullable(HostInfo.cpuModel()).orElse("this CPU")
        : ex instanceof io.genbench.execute.kubernetes.KubernetesJobExecutor ? "the cluster's nodes"
        : Estimates.gpu().orElse("no GPU found: the worker will run on the CPU");
    // a cluster's nodes have GPUs whatever this host has
    boolean gpu = !onnx && (ex instanceof io.genbench.execute.kubernetes.KubernetesJobExecutor || Estimates.gpu().isPresent());
    return render(plan, ex.backend(), device, gpu, cannot, twins, trials, estimator, costing);
  }

  /**
   * The dry run's text.
   *
   * @param gpu the cases run on GPUs (the figure is GPU-hours), else on the CPU (machine-hours)
   * @param twins the cases recorded from the case they are the same work as, without running: they take no time
   */
  static String render(Plan plan, String backend, String device, boolean gpu, Map<String, String> cannot, Twins twins, int trials,
      Estimator estimator, Estimates.Costing costing) {
    java.util.Set<String> notRun = new java.util.HashSet<>(cannot.keySet());
    notRun.addAll(twins.ids());
    var each = estimator.estimates(notRun);
    StringBuilder out = new StringBuilder();
    int toRun = plan.cases().size() - cannot.size() - twins.size();
    out.append(String.format(Locale.ROOT, "dry run: %d cases%s on backend %s, %s; %snothing is run or written%n",
        plan.cases().size(), trials > 1 ? " x " + trials + " trials (each in a fresh worker)" : "", backend, device,
        twins.size() == 0 ? "" : toRun + " will run and " + twins.size() + (twins.size() == 1 ? " is" : " are") + " priced from a twin (the same work on this"
            + " machine, differing only in the instance type they are priced as: measured once); "));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"case", "runs", "estimate", "from"});
    double total = 0;
    double[] parts = new double[5];
    Map<Estimator.Source, Integer> bySource = new java.util.EnumMap<>(Estimator.Source.class);
    Map<String, java.math.BigDecimal> usdByType = new java.util.LinkedHashMap<>();
    List<String> overflows = new ArrayList<>();
    int ran = 0;
    for (TestCase c : plan.cases()) {
      String why = cannot.get(c.id());
      if (twins.isTwin(c.id())) {
        rows.add(new String[] {c.id(), "priced from " + twins.measuredAs(c.id()), "0 s", "not run: the same work"});
        continue;
      }
      Estimator.Estimate est = each.get(c.id());
      if (why != null || est == null) {
        rows.add(new String[] {c.id(), "skipped: " + why, "0 s", ""});
        continue;
      }
      ran++;
      bySource.merge(est.source(), 1, Integer::sum);
      overflow(c.id(), est).ifPresent(overflows::add);
      double seconds = est.seconds() * trials;
      total += seconds;
      double gpus = Math.max(1, c.resources().gpus()) * trials / 3600.0;
      parts[0] += (est.startS() + est.buildS()) * gpus;
      parts[1] += est.warmupS() * gpus;
      parts[2] += est.measureS() * gpus;
      parts[3] += est.otherS() * gpus;
      rows.add(new String[] {c.id(), backend, "≈ " + human(seconds), est.from().isEmpty() ? est.source().label() : est.source().label() + ": " + est.from()});
      if (costing != null) {
        var usd = costing.usd(c, seconds);
        usdByType.merge(costing.typeOf(c) + " (" + costing.lifecycle().label() + ")", usd == null ? java.math.BigDecimal.ZERO : usd,
            java.math.BigDecimal::add);
      }
    }
    int[] w = new int[4];
    for (String[] r : rows) for (int i = 0; i < 4; i++) w[i] = Math.max(w[i], r[i].length());
    for (String[] r : rows) {
      out.append(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %s", r[0], r[1], r[2], r[3])
          .stripTrailing()).append('\n');
    }
    double run = RUN_S + VIEWS_PER_CASE_S * plan.cases().size();
    List<String> basis = new ArrayList<>();
    bySource.forEach((src, n) -> basis.add(n + " " + (n == 1 ? "case" : "cases") + " " + src.label()));
    var model = estimator.costModel();
    String extra = model == null ? "" : "; " + model.basis();
    out.append(String.format(Locale.ROOT, "total: ≈ %s (%.0f s), an estimate: %s%s; plus %s for the run's start and views%n",
        human(total + run), total + run, String.join(", ", basis), extra, human(run)));
    double hours = parts[0] + parts[1] + parts[2] + parts[3];
    if (ran > 0 && hours > 0) {
      out.append(String.format(Locale.ROOT, "%s (estimated): ≈ %s (each case's %sexpected wall time%s, summed%s),"
          + " of which measuring ≈ %s (%.0f %%), warm-up ≈ %s (%.0f %%), worker start and model builds ≈ %s (%.0f %%), the rest"
          + " (profiling, FLOP counting, teardown) ≈ %s (%.0f %%)%n",
          gpu ? "GPU-hours" : "machine-hours", hoursText(hours), gpu ? "GPUs x its " : "", trials > 1 ? " x " + trials + " trials" : "",
          twins.size() == 0 ? "" : "; the " + twins.size() + " priced from a twin take" + (twins.size() == 1 ? "s" : "") + " none",
          hoursText(parts[2]), 100 * parts[2] / hours, hoursText(parts[1]), 100 * parts[1] / hours,
          hoursText(parts[0]), 100 * parts[0] / hours, hoursText(parts[3]), 100 * parts[3] / hours));
    }
    for (String o : overflows) {
      out.append("warning: ").append(o).append(": its cost there is not achievable; price it as a bigger instance\n");
    }
    if (costing != null && !usdByType.isEmpty()) {
      var sum = java.math.BigDecimal.ZERO;
      for (var entry : usdByType.entrySet()) {
        out.append("cost ").append(entry.getKey()).append(": ≈ $")
            .append(io.genbench.cost.CostModel.round(entry.getValue()).toPlainString()).append('\n');
        sum = sum.add(entry.getValue());
      }
      out.append("cost total: ≈ $").append(io.genbench.cost.CostModel.round(sum).toPlainString())
          .append(" (estimated wall time x hourly price)\n");
    }
    return out.toString();
  }

  static String hoursText(double h) {
    if (h >= 0.1) return String.format(Locale.ROOT, "%.2f h", h);
    return h * 60 >= 1 ? String.format(Locale.ROOT, "%.1f min", h * 60) : String.format(Locale.ROOT, "%.1f s", h * 3600);
  }

  /** How the earlier result an estimate rests on did not fit the instance it is priced as, if it did not. */
  private static Optional<String> overflow(String caseId, Estimator.Estimate est) {
    if (est.source() != Estimator.Source.CASE || est.earlier() == null) return Optional.empty();
    Path file = est.earlier().resolve("cases").resolve(caseId).resolve(RunDirectory.RESULT);
    try {
      CaseResult r = Json.MAPPER.readValue(file.toFile(), CaseResult.class);
      return io.genbench.report.MemoryFit.exceeded(r).map(f -> caseId + " " + f.note() + " in " + est.earlier().getFileName());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The manifests {@code --executor kubernetes} would apply, as YAML documents (a ConfigMap holding the worker's job and
   * the Job, per model group and instance type): fabric8 reads them back to the same objects.
   */
  static String manifests(Plan plan, io.genbench.execute.kubernetes.KubernetesJobExecutor k, Map<String, String> cannot) {
    Map<String, List<TestCase>> byModel = new java.util.LinkedHashMap<>();
    for (TestCase c : plan.cases()) {
      if (!cannot.containsKey(c.id())) byModel.computeIfAbsent(c.model().id(), m -> new ArrayList<>()).add(c);
    }
    StringBuilder out = new StringBuilder();
    for (List<TestCase> group : byModel.values()) {
      for (Object o : k.manifests(group, plan.settings())) {
        String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(o);
        out.append(yaml.startsWith("---") ? "" : "---\n").append(yaml);
      }
    }
    return out.toString();
  }

  static String human(double seconds) {
    if (seconds < 120) return String.format(Locale.ROOT, "%.0f s", seconds);
    if (seconds < 7200) return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
