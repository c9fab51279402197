package io.genbench.cli;

import io.genbench.Json;
import io.genbench.execute.Executor;
import io.genbench.execute.HostCommand;
import io.genbench.execute.HostInfo;
import io.genbench.plan.Plan;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.store.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code genbench run --dry-run}: the cases, what each runs on, and an estimate of its wall time, running nothing.
 * An estimate comes from the newest earlier successful result of the same case id (under {@code results/} and beside
 * the run directory): its model load plus its warm-up and measured iterations at its mean e2e. Without one it is a
 * stated floor: {@code min_duration_s} plus the warm-up minimum at an unknown iteration time plus a typical model
 * build ({@value #ONNX_LOAD_S} s embedded, {@value #WORKER_LOAD_S} s for the PyTorch worker), marked with {@code ≥}.
 */
final class DryRun {
  static final double ONNX_LOAD_S = 1;
  static final double WORKER_LOAD_S = 30;

  private DryRun() {}

  /**
   * How a dry run prices its estimate: the hourly price of the lifecycle ({@code spot} or {@code ondemand}) of each
   * case's instance type (or of the actual instance), times the estimated wall time.
   */
  record Costing(io.genbench.cost.PriceSource prices, String region, String lifecycle, String actualInstance) {
    java.math.BigDecimal usd(TestCase c, double seconds) {
      String type = actualInstance != null ? actualInstance : c.instanceType();
      var p = prices.lookup(type, region);
      if (p.isEmpty()) return null;
      var hourly = lifecycle.equals("spot") && p.get().spotUsdPerHour() != null ? p.get().spotUsdPerHour() : p.get().ondemandUsdPerHour();
      return hourly == null ? null : hourly.multiply(java.math.BigDecimal.valueOf(seconds / 3600), java.math.MathContext.DECIMAL64);
    }

    String typeOf(TestCase c) {
      return actualInstance != null ? actualInstance : c.instanceType();
    }
  }

  /**
   * How {@code genbench run --gpus} orders, splits and assigns groups: each case's estimated seconds when every case of
   * the plan has an earlier successful result (a plan run before, here or beside the run directory), else
   * {@link io.genbench.execute.Runner#work}'s rough size. Says on stderr which it uses.
   */
  /** Each case's estimate, and whether it is measured seconds (every case ran before) rather than a rough size. */
  record Estimates(java.util.function.ToDoubleFunction<TestCase> estimate, boolean measured) {}

  static Estimates estimator(Plan plan, Path root) {
    List<Path> earlier = earlierRuns(root).stream().filter(r -> !r.toAbsolutePath().equals(root.toAbsolutePath())).toList();
    Map<String, Double> seconds = new java.util.HashMap<>();
    for (TestCase c : plan.cases()) fromEarlier(c.id(), plan.settings(), earlier).ifPresent(e -> seconds.put(c.id(), e.seconds()));
    if (seconds.size() == plan.cases().size() && !seconds.isEmpty()) {
      System.err.println("genbench: --gpus: groups assigned to GPUs by the wall time of earlier runs of these cases; each"
          + " GPU runs its share in one worker");
      return new Estimates(c -> seconds.get(c.id()), true);
    }
    System.err.println("genbench: --gpus: a free GPU takes the next group, ordered by estimated work (pixels x steps x"
        + " batch x model x precision); once the plan has run here or beside the run directory, its measured times"
        + " assign the groups instead");
    return new Estimates(io.genbench.execute.Runner::work, false);
  }

  /** The estimated cost of the whole run, USD (a floor where a case has no earlier result); zero when unpriced. */
  static java.math.BigDecimal estimateUsd(Plan plan, String backend, Map<String, String> cannot, int trials, Path root, Costing costing) {
    List<Path> earlier = earlierRuns(root);
    java.math.BigDecimal total = java.math.BigDecimal.ZERO;
    for (TestCase c : plan.cases()) {
      if (cannot.containsKey(c.id())) continue;
      Estimate est = fromEarlier(c.id(), plan.settings(), earlier).orElseGet(() -> floor(plan.settings(), backend));
      var usd = costing.usd(c, est.seconds() * trials);
      if (usd != null) total = total.add(usd);
    }
    return io.genbench.cost.CostModel.round(total);
  }

  static String render(Plan plan, Executor ex, String backend, Map<String, String> cannot, int trials, Path root) {
    return render(plan, ex, backend, cannot, trials, root, null);
  }

  static String render(Plan plan, Executor ex, String backend, Map<String, String> cannot, int trials, Path root, Costing costing) {
    String device = backend.equals("onnx") ? Optional.ofNullable(HostInfo.cpuModel()).orElse("this CPU") : gpuOrCpu();
    List<Path> earlier = earlierRuns(root);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "dry run: %d cases%s on backend %s, %s; nothing is run or written%n",
        plan.cases().size(), trials > 1 ? " x " + trials + " trials (each in a fresh worker)" : "", ex.backend(), device));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"case", "runs", "estimate", "from"});
    double total = 0;
    Map<String, java.math.BigDecimal> usdByType = new java.util.LinkedHashMap<>();
    boolean floor = false;
    List<String> overflows = new ArrayList<>();
    for (TestCase c : plan.cases()) {
      String why = cannot.get(c.id());
      if (why != null) {
        rows.add(new String[] {c.id(), "skipped: " + why, "0 s", ""});
        continue;
      }
      Optional<Estimate> e = fromEarlier(c.id(), plan.settings(), earlier);
      Estimate est = e.orElseGet(() -> floor(plan.settings(), backend));
      floor |= e.isEmpty();
      if (est.overflow() != null) overflows.add(c.id() + " " + est.overflow());
      total += est.seconds() * trials;
      rows.add(new String[] {c.id(), ex.backend(), (e.isEmpty() ? "≥ " : "") + human(est.seconds() * trials), est.from()});
      if (costing != null) {
        var usd = costing.usd(c, est.seconds() * trials);
        usdByType.merge(costing.typeOf(c) + " (" + costing.lifecycle() + ")", usd == null ? java.math.BigDecimal.ZERO : usd,
            java.math.BigDecimal::add);
      }
    }
    int[] w = new int[4];
    for (String[] r : rows) for (int i = 0; i < 4; i++) w[i] = Math.max(w[i], r[i].length());
    for (String[] r : rows) {
      out.append(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %s", r[0], r[1], r[2], r[3])
          .stripTrailing()).append('\n');
    }
    out.append("total: ").append(floor ? "≥ " : "").append(human(total)).append(floor
        ? " (cases without an earlier result count a floor: min_duration_s + warm-up + a typical model build)" : "")
        .append('\n');
    for (String o : overflows) {
      out.append("warning: ").append(o).append(": its cost there is not achievable; price it as a bigger instance\n");
    }
    if (costing != null && !usdByType.isEmpty()) {
      var sum = java.math.BigDecimal.ZERO;
      for (var entry : usdByType.entrySet()) {
        out.append("cost ").append(entry.getKey()).append(": ").append(floor ? "≥ " : "").append("$")
            .append(io.genbench.cost.CostModel.round(entry.getValue()).toPlainString()).append('\n');
        sum = sum.add(entry.getValue());
      }
      out.append("cost total: ").append(floor ? "≥ " : "").append("$").append(io.genbench.cost.CostModel.round(sum).toPlainString())
          .append(" (estimated wall time x hourly price)\n");
    }
    return out.toString();
  }

  /**
   * The manifests {@code --executor kubernetes} would apply, as YAML documents (a ConfigMap holding the worker's job and
   * the Job, per model group and instance type): fabric8 reads them back to the same objects.
   */
  static String manifests(Plan plan, io.genbench.execute.KubernetesJobExecutor k, Map<String, String> cannot) {
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

  /** @param overflow how an earlier result of the case did not fit the instance it is priced as, or null */
  private record Estimate(double seconds, String from, String overflow) {
    Estimate(double seconds, String from) {
      this(seconds, from, null);
    }
  }

  private static Estimate floor(Settings s, String backend) {
    double load = backend.equals("onnx") ? ONNX_LOAD_S : WORKER_LOAD_S;
    return new Estimate(load + s.minDurationS(), "rough: no earlier result of this case");
  }

  private static Optional<Estimate> fromEarlier(String caseId, Settings s, List<Path> runs) {
    for (Path run : runs) {
      Path file = run.resolve("cases").resolve(caseId).resolve(RunDirectory.RESULT);
      if (!Files.isRegularFile(file)) continue;
      try {
        CaseResult r = Json.MAPPER.readValue(file.toFile(), CaseResult.class);
        if (r.status() != CaseStatus.SUCCESS || r.inferenceTimeS() == null) continue;
        // as many measured iterations as this plan's settings would take at that speed
        int n = (int) Math.min(s.maxIterations(), Math.max(s.minIterations(), Math.ceil(s.minDurationS() / r.inferenceTimeS())));
        int warm = Math.max(r.warmupIterations(), s.warmupIterations());
        double load = r.modelLoadS() == null ? 0 : r.modelLoadS();
        String overflow = io.genbench.report.MemoryFit.exceeded(r).map(f -> f.note() + " in " + run.getFileName()).orElse(null);
        return Optional.of(new Estimate(load + (warm + n) * r.inferenceTimeS(), run.getFileName().toString(), overflow));
      } catch (IOException | RuntimeException e) {
        // an unreadable earlier result is no estimate
      }
    }
    return Optional.empty();
  }

  /** Run directories under {@code results/} and beside {@code root}, newest first. */
  private static List<Path> earlierRuns(Path root) {
    List<Path> parents = new ArrayList<>(List.of(Path.of("results")));
    Path parent = root.toAbsolutePath().getParent();
    if (parent != null && !parent.equals(Path.of("results").toAbsolutePath())) parents.add(parent);
    List<Path> runs = new ArrayList<>();
    for (Path p : parents) {
      if (!Files.isDirectory(p)) continue;
      try (Stream<Path> s = Files.list(p)) {
        s.filter(d -> Files.isDirectory(d.resolve("cases"))).forEach(runs::add);
      } catch (IOException e) {
        // nothing to learn from there
      }
    }
    runs.sort(Comparator.comparing(DryRun::modified).reversed());
    return runs;
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String gpuOrCpu() {
    return HostCommand.output(List.of("nvidia-smi", "--query-gpu=name", "--format=csv,noheader"), Duration.ofSeconds(20))
        .map(s -> s.lines().findFirst().orElse("a GPU").trim()).orElse("no GPU found: the worker will run on the CPU");
  }

  static String human(double seconds) {
    if (seconds < 120) return String.format(Locale.ROOT, "%.0f s", seconds);
    if (seconds < 7200) return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
