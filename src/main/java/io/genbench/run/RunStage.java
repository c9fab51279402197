package io.genbench.run;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.cost.CostModel;
import io.genbench.cost.Lifecycle;
import io.genbench.cost.PriceBook;
import io.genbench.env.Environment;
import io.genbench.env.HostCommand;
import io.genbench.env.InstanceMetadata;
import io.genbench.env.Placement;
import io.genbench.execute.Backend;
import io.genbench.execute.BudgetedExecutor;
import io.genbench.execute.Estimates;
import io.genbench.execute.Estimator;
import io.genbench.execute.Executor;
import io.genbench.execute.ExecutorKind;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.execute.PlacedExecutor;
import io.genbench.execute.Pricer;
import io.genbench.execute.Progress;
import io.genbench.execute.Runner;
import io.genbench.execute.Ticker;
import io.genbench.execute.Twins;
import io.genbench.execute.kubernetes.KubernetesJobExecutor;
import io.genbench.execute.kubernetes.PodPlacement;
import io.genbench.execute.onnx.OnnxExecutor;
import io.genbench.history.HistoryLocation;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.report.RunReport;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.store.RunDirectory;
import io.genbench.store.StorageError;
import io.genbench.views.RunViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The run stage: what {@code genbench run} does between parsing its options and printing its outcome. Checks the
 * options together (a resumed run adopts those it was started with), chooses the backend and the executor, skips what
 * the backend cannot run, estimates (and stops there for a dry run, or when the estimate exceeds the budget), creates
 * or reopens the run directory under its lock, runs every case (on one worker, several GPUs or a cluster; the
 * neighbour-interference check after a run on several GPUs) and rebuilds the views. Progress goes to stderr; what the
 * command prints on stdout is in the {@link Ending}.
 */
public final class RunStage {

  /** How a run ended: estimated only ({@code --dry-run}), or finished with its views written. */
  public sealed interface Ending permits Estimated, Finished {}

  /**
   * A dry run: nothing was run or written.
   *
   * @param estimate the cases, what each runs on and the estimate
   * @param manifests on a cluster, the manifests that would be applied (YAML documents), else null
   */
  public record Estimated(String estimate, String manifests) implements Ending {}

  /**
   * A finished run, unlocked, its views written; recording it in {@code history} (null: not at all) is left to the
   * caller, after it printed the summary.
   */
  public record Finished(RunDirectory dir, RunReport report, HistoryLocation history) implements Ending {
    /**
     * True when every case succeeded, ran out of GPU memory (a finding) or is one the backend cannot run (skipped up
     * front, not a failure).
     */
    public boolean allGood() {
      return report.results().stream().allMatch(r -> r.status() != null && !r.status().isFailure());
    }
  }

  private final RunRequest request;
  // the options in force: the request's, or those a resumed run started with; --detect-instance fills the last two
  private Backend backend;
  /** The Python with torch that choosing backend auto found, reused by the run (null: not looked for, or none). */
  private String foundPython;
  private ExecutorKind executor;
  private boolean tiny;
  private String weights;
  private String saveImages;
  private Lifecycle lifecycle;
  private String region;
  private int trials;
  private String gpus;
  private String actualInstance;
  /** The plan created with the run, if it recorded one: a resume against an edited plan.yaml exits 2 naming the change. */
  private PlanFingerprint storedPlan;
  /** Each case's expected wall time on this machine: the dry run's, --budget-usd's, --gpus placement's and the ETA's. */
  private Estimator estimator;

  /** Called with the run directory and the plan's case count once the run holds its lock (e.g. --metrics-port). */
  private java.util.function.ObjIntConsumer<RunDirectory> onStart = (dir, cases) -> { };

  /** This stage, calling {@code hook} with the run directory and the plan's case count once the run holds its lock. */
  public RunStage onStart(java.util.function.ObjIntConsumer<RunDirectory> hook) {
    onStart = hook;
    return this;
  }

  public RunStage(RunRequest request) {
    this.request = request;
    backend = request.backend();
    executor = request.executor();
    tiny = request.tiny();
    weights = request.weights();
    saveImages = request.saveImages();
    lifecycle = request.lifecycle();
    region = request.region();
    trials = request.trials();
    gpus = request.gpus();
    actualInstance = request.actualInstance();
  }

  public Ending run() {
    Path planFile = request.planFile();
    Path resume = request.resume();
    BigDecimal budgetUsd = request.budgetUsd();
    if ((planFile == null) == (resume == null)) throw new UserError("Give a PLAN file, or --resume DIR (not both).");
    if (request.retryFailed() && resume == null) throw new UserError("--retry-failed goes with --resume DIR.");
    if (resume != null) adoptStoredOptions();
    boolean kube = executor == ExecutorKind.KUBERNETES;
    if (kube && backend == Backend.AUTO) backend = Backend.TORCH; // the worker image has PyTorch; this host need not
    if (trials < 1 || trials > 100) throw new UserError("--trials must be between 1 and 100, was " + trials + ".");
    if (budgetUsd != null && budgetUsd.signum() <= 0) {
      throw new UserError("--budget-usd must be a positive amount of USD, e.g. --budget-usd 25, was " + budgetUsd.toPlainString() + ".");
    }
    HistoryLocation historyAt = HistoryRecord.where(request.noHistory(), request.historyUrl());
    Backend chosen = chooseBackend();
    if (chosen == Backend.DIFFUSERS && weights == null) {
      throw new UserError("--backend diffusers runs your own diffusers pipeline: give its local folder with --weights"
          + " (e.g. a snapshot of stabilityai/stable-diffusion-2-1 saved with save_pretrained).");
    }
    if (kube && chosen == Backend.ONNX) throw new UserError("--executor kubernetes runs the PyTorch worker: use --backend torch or diffusers.");
    List<String> gpuList = gpus == null ? null : GpuList.parse(gpus, "--gpus", GpuList::detect);
    if (gpuList != null) {
      if (kube) throw new UserError("--gpus spreads a plan over this host's GPUs; with --executor kubernetes each Job gets the GPUs"
          + " its cases ask for. Leave --gpus out, or use --executor local.");
      if (chosen == Backend.ONNX) throw new UserError("--gpus " + gpus + " runs one PyTorch worker per GPU, and backend onnx runs"
          + " in this JVM on the CPU: use --backend torch or diffusers.");
      if (budgetUsd != null) throw new UserError("--budget-usd does not yet work with --gpus (the budget is kept for one worker"
          + " at a time): leave one out.");
    }
    if (request.freshWorkers() && (kube || chosen == Backend.ONNX)) {
      throw new UserError("--fresh-workers restarts the local PyTorch worker per model group and trial; "
          + (kube ? "with --executor kubernetes every Job is a fresh pod already" : "backend onnx runs in this JVM, with no worker")
          + ". Leave --fresh-workers out" + (kube ? "." : ", or use --backend torch or diffusers."));
    }
    if (request.interferenceCases() < 0 || request.interferenceCases() > 100) {
      throw new UserError("--interference-cases must be between 0 and 100, was " + request.interferenceCases() + ".");
    }
    // --backend auto found it already while choosing: one `python -c` check (~0.1 s) less before the worker starts
    String py = chosen == Backend.ONNX || kube ? null : foundPython != null ? foundPython : LocalProcessExecutor.findPython(request.python());
    Path source = request.home().resolve("worker/src");
    if (py != null && !Files.isDirectory(source.resolve("genbench_worker"))) {
      throw new UserError("The worker is missing: " + source + "/genbench_worker not found (genbench.home = " + request.home() + ").");
    }
    Path root = resume != null ? resume : request.out() != null ? request.out() : Path.of("results", runId(planFile));
    // the local workers (one per GPU of --gpus) start first: their process, torch import and CUDA init overlap the
    // controller's reading of the plan and prices, its estimates and the run directory, instead of following them; a run
    // refused on the way closes them (a worker that got no job is killed at once)
    try (LocalWorkers workers = py == null ? LocalWorkers.NONE
            : LocalWorkers.start(workerConfig(py, source, root, chosen), gpuList, !request.dryRun());
        PriceBook book = request.prices().open(request.detectInstance());
        Executor ex = kube ? KubernetesRequest.executor(request.kubernetes().config(root.getFileName().toString(), tiny, weights,
            saveImages, chosen.label()), new Pricer(book, region, lifecycle))
        : chosen == Backend.ONNX ? new OnnxExecutor(Ticker.SYSTEM, request.threads())
        : workers.first()) {
      Plan plan = resume != null ? PlanFile.read(RunDirectory.open(resume).file(RunDirectory.PLAN)) : PlanFile.read(planFile);
      if (resume != null) requireSamePlan(plan);
      Placement placed = request.detectInstance() && resume == null ? detectPlacement() : null;
      PriceCheck.requirePriced(book, region, plan.instanceTypes(), actualInstance,
          resume != null ? resume.toString() : planFile.toString(), resume == null);
      // what the backend cannot run is known now: skip it in a second rather than fail it after a model build
      Map<String, String> cannot = new LinkedHashMap<>();
      plan.cases().forEach(c -> ex.cannotRun(c).ifPresent(why -> cannot.put(c.id(), why)));
      if (!plan.cases().isEmpty() && cannot.size() == plan.cases().size()) {
        throw new UserError("None of the " + plan.cases().size() + " cases can run on backend " + ex.backend() + ": "
            + cannot.values().iterator().next() + ". Nothing was run.");
      }
      // on one device a case that differs from an earlier one only in its instance type is the same work: measured once
      Twins twins = kube || request.gave("--measure-each") ? Twins.NONE : Twins.of(plan.cases().stream().filter(c -> !cannot.containsKey(c.id())).toList());
      Map<String, String> notRun = new LinkedHashMap<>(cannot);
      twins.ids().forEach(id -> notRun.put(id, "priced from " + twins.measuredAs(id)));
      var costing = new Estimates.Costing(book, region, lifecycle, actualInstance);
      estimator = Estimates.forRun(plan, ex, chosen, executor, root, cannot);
      if (request.dryRun()) {
        // on a cluster the manifests alone go to stdout, so `--dry-run > jobs.yaml` is YAML that kubectl applies
        return new Estimated(DryRun.render(plan, ex, cannot, twins, trials, estimator, costing),
            ex instanceof KubernetesJobExecutor k ? DryRun.manifests(plan, k, cannot) : null);
      }
      if (budgetUsd != null) {
        var estimate = Estimates.usd(plan, notRun, trials, estimator, costing);
        if (estimate.compareTo(budgetUsd) > 0) {
          throw new UserError("The estimated cost $" + estimate.toPlainString() + " (see --dry-run) exceeds --budget-usd "
              + budgetUsd.toPlainString() + ". Nothing was run. Raise the budget, or run fewer cases or trials.");
        }
      }
      RunDirectory dir = resume != null ? reopen(resume) : create(root, chosen, plan);
      try (RunDirectory.RunLock held = dir.lock(); var hint = new ResumeHint(dir)) {
        var views = new RunViews(dir);
        if (resume != null) {
          RunViews.removeLeftovers(dir);
          views.repair(plan);
          if (request.retryFailed()) views.retryFailed(plan);
        }
        List<Runner.Slot> slots = gpuList == null ? null : workers.slots(gpuList);
        onStart.accept(dir, plan.cases().size());
        runCases(dir, views, plan, chosen, ex, cannot, twins, book, placed, slots);
        markFinished(dir);
        return new Finished(dir, views.rebuild(), historyAt);
      }
    }
  }

  private static RunDirectory reopen(Path resume) {
    RunDirectory dir = RunDirectory.open(resume);
    dir.refuseLinks();
    return dir;
  }

  /** A new run directory: plan and options appear with it or not at all, so a kill at any moment leaves a resumable run. */
  private RunDirectory create(Path root, Backend chosen, Plan plan) {
    try {
      String planText = Files.readString(request.planFile());
      return RunDirectory.create(root, Map.of(RunDirectory.PLAN, planText, RunOptions.FILE,
          Json.PRETTY.writeValueAsString(new RunOptions(chosen.label(), tiny, weights, saveImages, lifecycle.label(),
              region, actualInstance, trials, executor.label(), gpus,
              PlanFingerprint.of(planText.getBytes(StandardCharsets.UTF_8), plan)))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** On Ctrl-C or a SIGTERM before the run finished: says how to finish it. Closing it (the run ended) disarms it. */
  private static final class ResumeHint implements AutoCloseable {
    private final Thread hook;
    private volatile boolean armed = true;

    ResumeHint(RunDirectory dir) {
      hook = new Thread(() -> {
        if (armed) System.err.println("\ngenbench: interrupted; finished cases are kept. Resume with: genbench run --resume " + dir.root());
      }, "resume-hint");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
      armed = false;
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down
      }
    }
  }

  /**
   * The run's local PyTorch workers: one executor per GPU of {@code --gpus} (else one), each with its worker started
   * at once unless this is a dry run. Closing ends them all (the kept workers end with the run).
   */
  private record LocalWorkers(List<LocalProcessExecutor> executors) implements AutoCloseable {
    static final LocalWorkers NONE = new LocalWorkers(List.of());

    static LocalWorkers start(LocalProcessExecutor.Config worker, List<String> gpuList, boolean prestart) {
      List<LocalProcessExecutor> all = new ArrayList<>();
      for (String g : gpuList == null ? java.util.Collections.<String>singletonList(null) : gpuList) {
        LocalProcessExecutor e = new LocalProcessExecutor(worker, Ticker.SYSTEM, g);
        if (prestart) e.prestart();
        all.add(e);
      }
      return new LocalWorkers(List.copyOf(all));
    }

    /** The first GPU's executor (the run's own), or null when the run has no local worker. */
    LocalProcessExecutor first() {
      return executors.isEmpty() ? null : executors.getFirst();
    }

    /** One slot per GPU of {@code gpuList}, each with that GPU's executor. */
    List<Runner.Slot> slots(List<String> gpuList) {
      List<Runner.Slot> slots = new ArrayList<>();
      for (int i = 0; i < gpuList.size(); i++) slots.add(new Runner.Slot(gpuList.get(i), executors.get(i)));
      return slots;
    }

    @Override
    public void close() {
      executors.forEach(LocalProcessExecutor::close);
    }
  }

  /** How this run starts the Python worker: the same for the one-worker run and for every GPU of --gpus. */
  private LocalProcessExecutor.Config workerConfig(String py, Path source, Path root, Backend chosen) {
    return new LocalProcessExecutor.Config(py, source, root.resolve("jobs"), tiny, weights, saveImages, chosen.label(),
        request.freshWorkers());
  }

  private void runCases(RunDirectory dir, RunViews views, Plan plan, Backend chosen, Executor ex, Map<String, String> cannot,
      Twins twins, PriceBook book, Placement placed, List<Runner.Slot> slots) {
    writeEnvironment(dir, chosen, plan.settings());
    System.err.println("genbench: running " + plan.cases().size() + " cases" + (twins.size() == 0 ? ""
        : " (" + (plan.cases().size() - cannot.size() - twins.size()) + " measured, " + twins.size() + " priced from them)")
        + (trials > 1 ? " x " + trials + " trials" : "")
        + " with backend " + ex.backend() + " into " + dir.root());
    Executor run = placed == null ? ex : new PlacedExecutor(ex, placed, new Pricer(book, region, lifecycle));
    BigDecimal budgetUsd = request.budgetUsd();
    var budgeted = budgetUsd == null ? null
        : new BudgetedExecutor(run, new BudgetedExecutor.Budget(budgetUsd, lifecycle, region, actualInstance), book, Ticker.SYSTEM);
    Runner runner = new Runner(budgeted != null ? budgeted : run, dir, book, new Runner.Pricing(lifecycle, region, actualInstance),
        id -> oneLine(views.finishCase(id)), Progress.forStderr()).measuringOnce(twins);
    if (!cannot.isEmpty()) {
      System.err.println("genbench: skipping " + cannot.size() + " of " + plan.cases().size() + " cases that backend "
          + ex.backend() + " cannot run (" + cannot.values().iterator().next() + (cannot.size() > 1 ? "; ..." : "")
          + "); they are listed in the report");
      runner.skip(plan, cannot);
    }
    var expected = estimator.estimates(java.util.stream.Stream.concat(cannot.keySet().stream(), twins.ids().stream())
        .collect(java.util.stream.Collectors.toSet()));
    runner.expecting(c -> expected.containsKey(c.id()) ? expected.get(c.id()).seconds() : 0);
    if (slots == null) {
      runner.run(plan, trials);
    } else {
      List<Runner.Slot> placedSlots = slots.stream().map(sl -> placed == null ? sl
          : new Runner.Slot(sl.gpu(), new PlacedExecutor(sl.executor(), placed, new Pricer(book, region, lifecycle)))).toList();
      System.err.println("genbench: one worker per GPU on " + slots.size() + " GPUs (" + String.join(", ", slots.stream().map(Runner.Slot::gpu).toList()) + ")");
      boolean measured = expected.values().stream().allMatch(e -> e.source() == Estimator.Source.CASE);
      System.err.println("genbench: --gpus: groups assigned to GPUs by their estimated wall time ("
          + (measured ? "from earlier runs of every case; each GPU runs its share in one worker)"
              : "not every case ran here before: a free GPU takes the next group, largest first)"));
      runner.run(plan, trials, placedSlots, c -> expected.containsKey(c.id()) ? expected.get(c.id()).seconds() : 0, measured);
      checkInterference(dir, views, plan, placedSlots.getFirst(), book);
    }
    if (budgeted != null && !budgeted.notRun().isEmpty()) {
      System.err.println("genbench: the budget of $" + budgetUsd.toPlainString() + " was reached ($"
          + CostModel.round(budgeted.spentUsd()).toPlainString() + " spent); not run: " + String.join(", ", budgeted.notRun()));
    }
  }

  /**
   * With --gpus: the {@code --interference-cases} quickest cases that ran beside other workers, run again alone on the
   * first GPU (into {@code interference/}); the report compares the two. Cases checked before (a resumed run) are not
   * run again.
   */
  private void checkInterference(RunDirectory dir, RunViews views, Plan plan, Runner.Slot slot, PriceBook book) {
    if (request.interferenceCases() == 0) return;
    RunDirectory alone = dir.sub(RunDirectory.INTERFERENCE);
    Map<String, TestCase> byId = new HashMap<>();
    plan.cases().forEach(c -> byId.put(c.id(), c));
    List<TestCase> pick = views.results().stream()
        .filter(r -> r.status() == CaseStatus.SUCCESS && r.where() != null && r.where().beside() != null
            && r.where().measuredAs() == null
            && r.where().beside().hadNeighbours() && r.latency() != null && r.latency().get("e2e") != null)
        .sorted(Comparator.comparingLong(r -> r.latency().get("e2e").p50Ns()))
        .limit(request.interferenceCases()).map(r -> byId.get(r.caseId())).filter(Objects::nonNull)
        .filter(c -> !alone.isDone(c.id())).toList();
    if (pick.isEmpty()) return;
    System.err.println("genbench: neighbour interference: measuring " + String.join(", ", pick.stream().map(TestCase::id).toList())
        + " again alone on GPU " + slot.gpu());
    new Runner(slot.executor(), alone, book, new Runner.Pricing(lifecycle, region, actualInstance),
        id -> oneLine(views.finishAlone(id)), Progress.forStderr()).run(new Plan(plan.mode(), plan.settings(), pick), 1);
  }

  /**
   * {@code --detect-instance}: where this host runs; fills --actual-instance and --lifecycle where not given. Says what
   * it found, or that it found nothing (the run goes on as without the option).
   */
  private Placement detectPlacement() {
    Optional<Placement> found;
    if (PodPlacement.inPod(System.getenv())) {
      // in a pod, the node's labels say where it runs (the pod's own IMDS access is often blocked, hop limit 1)
      try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
        found = PodPlacement.detect(client, System.getenv(PodPlacement.NODE_NAME));
      }
    } else {
      found = new InstanceMetadata(request.imdsEndpoint() != null ? request.imdsEndpoint() : InstanceMetadata.DEFAULT,
          Duration.ofSeconds(1)).detect();
    }
    if (found.isEmpty()) {
      System.err.println("genbench: --detect-instance: neither the pod's node labels nor instance metadata answered (not"
          + " EC2, IMDS disabled, or no permission to read the node); pricing as requested");
      return null;
    }
    var p = found.get();
    if (actualInstance == null) actualInstance = p.instanceType();
    if (!request.gave("--lifecycle") && p.lifecycle() != null) lifecycle = Lifecycle.parse(p.lifecycle(), "--detect-instance");
    System.err.println("genbench: --detect-instance (" + p.source() + "): " + p.instanceType() + ", " + p.lifecycle() + ", zone " + p.zone());
    return p;
  }

  /**
   * A resumed run keeps the backend, model scale, weights and pricing it started with; an option given again must
   * agree, or the run would mix two kinds of measurement under one report.
   */
  private void adoptStoredOptions() {
    Path file = request.resume().resolve(RunOptions.FILE);
    if (!Files.exists(file)) return; // a run directory from before run-options.json: the command line decides
    RunOptions stored;
    try {
      stored = Json.MAPPER.readValue(file.toFile(), RunOptions.class);
    } catch (IOException e) {
      throw new UserError("Cannot read " + file + ": " + e.getMessage());
    }
    storedPlan = stored.plan();
    backend = Backend.parse(adopt("--backend", backend.label(), stored.backend()), file.toString());
    tiny = Boolean.parseBoolean(adopt("--tiny", String.valueOf(tiny), String.valueOf(stored.tiny())));
    weights = adopt("--weights", weights, stored.weights());
    saveImages = adopt("--save-images", saveImages, stored.saveImages());
    lifecycle = Lifecycle.parse(adopt("--lifecycle", lifecycle.label(), stored.lifecycle()), file.toString());
    region = adopt("--region", region, stored.region());
    actualInstance = adopt("--actual-instance", actualInstance, stored.actualInstance());
    trials = Integer.parseInt(adopt("--trials", String.valueOf(trials), String.valueOf(stored.trials() == null ? 1 : stored.trials())));
    // a run started on a cluster resumes on it (its Jobs are adopted), never silently on this machine
    executor = ExecutorKind.parse(adopt("--executor", executor.label(), stored.executor() == null ? "local" : stored.executor()),
        file.toString());
    gpus = adopt("--gpus", gpus, stored.gpus());
  }

  private String adopt(String option, String given, String stored) {
    if (request.gave(option) && !Objects.equals(given, stored) && !(option.equals("--backend") && "auto".equals(given))) {
      throw new UserError("The run in " + request.resume() + " was started with " + option + " " + stored + "; resuming it with "
          + option + " " + given + " would mix two kinds of result in one report. Leave the option out, or start a new run.");
    }
    return stored;
  }

  private void requireSamePlan(Plan plan) {
    Path file = RunDirectory.open(request.resume()).file(RunDirectory.PLAN);
    try {
      PlanFingerprint.requireUnchanged(storedPlan, PlanFingerprint.of(Files.readAllBytes(file), plan), file);
    } catch (IOException e) {
      throw new StorageError(e, file, "read");
    }
  }

  private Backend chooseBackend() {
    if (backend != Backend.AUTO) return backend;
    return hasGpu() && pythonOrNull() != null ? Backend.TORCH : Backend.ONNX;
  }

  private String pythonOrNull() {
    try {
      return foundPython = LocalProcessExecutor.findPython(request.python());
    } catch (UserError e) {
      return null;
    }
  }

  private static boolean hasGpu() {
    return HostCommand.output(List.of("nvidia-smi", "-L"), Duration.ofSeconds(20)).isPresent();
  }

  private void writeEnvironment(RunDirectory dir, Backend chosen, Settings settings) {
    String library = chosen == Backend.ONNX ? OnnxExecutor.version() : "PyTorch worker (versions in each case's hello event)";
    List<String> cmd = new ArrayList<>(List.of("genbench", "run"));
    cmd.addAll(request.commandLine());
    var env = Environment.capture(request.home(), chosen == Backend.ONNX ? "onnx-cpu" : chosen.label(), library, settings.seed(),
        Json.MAPPER.valueToTree(settings), cmd);
    // the embedded backend's speed depends on it: the figures are not comparable without it
    if (chosen == Backend.ONNX) env.put("onnxruntime_intra_op_threads", OnnxExecutor.intraOpThreads(request.threads()));
    try {
      boolean resumed = request.resume() != null;
      String name = resumed ? "environment.resumed-" + System.currentTimeMillis() + ".json" : RunDirectory.ENVIRONMENT;
      if (resumed && !Files.exists(dir.file(RunDirectory.ENVIRONMENT))) name = RunDirectory.ENVIRONMENT;
      dir.write(dir.file(name), Json.PRETTY.writeValueAsString(env));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds {@code finished_at} to environment.json. */
  private static void markFinished(RunDirectory dir) {
    try {
      var file = dir.file(RunDirectory.ENVIRONMENT);
      if (!Files.exists(file)) return;
      var env = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(file.toFile());
      env.put("finished_at", Instant.now().toString());
      dir.write(file, Json.PRETTY.writeValueAsString(env));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneLine(CaseResult r) {
    if (r.status() == CaseStatus.SUCCESS) {
      if (r.timePerImageS() != null) {
        return String.format(Locale.ROOT, "SUCCESS %.3f s/image, %.2f images/s, n=%d", r.timePerImageS(), r.imagesPerS(), r.iterations());
      }
      return String.format(Locale.ROOT, "SUCCESS %.1f tokens/s, n=%d", r.tokensPerS(), r.iterations());
    }
    return r.status() + " (" + r.failure().kind().label() + "): " + r.failure().message();
  }

  private static String runId(Path plan) {
    String name = plan.getFileName().toString().replaceAll("\\.(ya?ml|json)$", "").replaceAll("[^A-Za-z0-9_-]", "-");
    return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + name;
  }
}
