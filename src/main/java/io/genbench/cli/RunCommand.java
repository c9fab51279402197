package io.genbench.cli;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.cost.Lifecycle;
import io.genbench.env.Environment;
import io.genbench.execute.Backend;
import io.genbench.execute.Estimates;
import io.genbench.execute.Executor;
import io.genbench.execute.ExecutorKind;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.execute.Progress;
import io.genbench.execute.Runner;
import io.genbench.execute.Ticker;
import io.genbench.execute.onnx.OnnxExecutor;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.Settings;
import io.genbench.report.ConsoleSummary;
import io.genbench.report.RunReport;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.store.RunDirectory;
import io.genbench.views.RunViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench run}: runs every case of a plan and writes the run directory. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs every case of a plan and writes its run directory.",
        "Writes results/<run-id>/: raw events per case, result.json per case, summary.csv, results.json, results.csv,"
            + " report.md, report.html. A failing case is recorded with its kind and log tail and the sweep goes on."
            + " Ctrl-C or kill -9 loses no finished case: --resume DIR runs the rest with the options the run started with."
            + " The finished run is recorded in the history (genbench history; --history-url, --no-history)."},
    footer = {"", "Examples:", "  genbench run plan.yaml", "  genbench run plan.yaml --backend torch --tiny --out results/smoke",
        "  genbench run plan.yaml --actual-instance g6e.xlarge --lifecycle spot", "  genbench run plan.yaml --backend torch --gpus all",
        "  genbench run --resume results/20261121-101500-plan"})
final class RunCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "PLAN", description = "plan file from `genbench plan` (YAML or JSON)")
  Path planFile;

  @Option(names = "--resume", paramLabel = "DIR", description = "finish an interrupted run: skips every case with a result.json")
  Path resume;

  @Option(names = "--backend", defaultValue = "auto", paramLabel = "B",
      description = "onnx (embedded default: in-JVM ONNX Runtime on CPU) | torch (the PyTorch worker) | diffusers (your"
          + " diffusers pipeline through the worker) | auto: torch when a GPU and PyTorch are present, else onnx (default)")
  Backend backend;

  @Option(names = "--executor", defaultValue = "local", paramLabel = "E", description = "local: cases run on this machine, one at a time | kubernetes: one Job per model group and instance"
          + " type on the cluster of your kubeconfig (needs --image; see --namespace, --parallel)")
  ExecutorKind executor;

  @Option(names = "--out", paramLabel = "DIR", description = "run directory (default: results/<date>-<time>-<plan>)")
  Path out;

  @Option(names = "--lifecycle", defaultValue = "ondemand", paramLabel = "L", description = "spot | ondemand: which price is the actual one (default: ${DEFAULT-VALUE})")
  Lifecycle lifecycle;

  @Option(names = "--region", defaultValue = "us-east-1", paramLabel = "R", description = "pricing region (default: ${DEFAULT-VALUE})")
  String region;

  @Option(names = "--actual-instance", paramLabel = "TYPE", description = "the instance type this machine is, to price every case as it (default: each case's requested type)")
  String actualInstance;

  @Option(names = "--python", paramLabel = "PATH", description = "interpreter for the worker (default: GENBENCH_PYTHON, python3, /usr/bin/python3: the first with torch)")
  String python;

  @Option(names = "--tiny", description = "run the architectures' tiny configurations (smoke tests; torch backend)")
  boolean tiny;

  @Option(names = "--weights", paramLabel = "PATH", description = "real weights: a local diffusers folder or .safetensors (torch backend); default random")
  String weights;

  @Option(names = "--save-images", paramLabel = "DIR", description = "write generated images as PNG (torch backend)")
  String saveImages;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "ONNX Runtime intra-op threads for the embedded backend (default: one per core but one, at least one: the controller keeps a core)")
  int threads;

  @Option(names = "--trials", defaultValue = "1", paramLabel = "N",
      description = "run every case N times, each trial in a fresh worker (fresh process and CUDA context), interleaved"
          + " (A B C A B C ...); reports per-trial medians, their spread and a 95-percent CI of each case's median, and flags"
          + " trials that disagree. Costs N times the run time. Use for decisions and A/B comparisons (default: 1)")
  int trials;

  @Option(names = "--gpus", paramLabel = "all|I,J,...", description = "run the plan on several GPUs of this host at once:"
      + " one PyTorch worker per GPU (CUDA_VISIBLE_DEVICES), each taking the next group of cases (a model at one"
      + " precision) when free. Every case records its GPU and how many other workers ran beside it; after the run,"
      + " --interference-cases of them are measured again alone and the report states the difference. all: every GPU"
      + " nvidia-smi lists. Default: one worker at a time")
  String gpus;

  @Option(names = "--interference-cases", defaultValue = "1", paramLabel = "N", description = "with --gpus: cases measured"
      + " again alone after the run, to state how much the neighbours changed them (the N quickest that ran beside"
      + " others; 0: none; default: ${DEFAULT-VALUE})")
  int interferenceCases;

  @Option(names = "--dry-run", description = "print the cases, what each will run on and an estimate of its wall time;"
      + " run nothing, write nothing")
  boolean dryRun;

  @Option(names = "--budget-usd", paramLabel = "X", description = "refuse to start when the dry-run estimate exceeds X"
      + " USD; stop launching workers once the spend (measured time x the price paid) reaches X, and say which cases"
      + " were not run")
  java.math.BigDecimal budgetUsd;

  @Option(names = "--detect-instance", description = "ask where this host runs, to fill actual_instance, lifecycle and"
      + " zone: in a Kubernetes pod its node's labels, on EC2 the instance-metadata service (IMDSv2; also allows its"
      + " credentials). Without this option genbench never contacts instance metadata")
  boolean detectInstance;

  /** For tests: the instance-metadata service's address. */
  @Option(names = "--imds-endpoint", hidden = true, paramLabel = "URL")
  java.net.URI imdsEndpoint;

  @picocli.CommandLine.Mixin
  PriceOptions prices;

  @picocli.CommandLine.Mixin
  KubernetesOptions kubernetes;

  @picocli.CommandLine.Mixin
  RunHistoryOptions history;

  /** Where the finished run is recorded (null: --no-history), checked before anything runs. */
  private io.genbench.history.HistoryLocation historyAt;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** How a run was started: a resumed run goes on the same way. Stored as run-options.json. */
  record RunOptions(String backend, boolean tiny, String weights, String saveImages, String lifecycle, String region,
      String actualInstance, Integer trials, String executor, String gpus, PlanFingerprint plan) {}

  static final String OPTIONS = "run-options.json";

  @Override
  public Integer call() {
    if ((planFile == null) == (resume == null)) throw new UserError("Give a PLAN file, or --resume DIR (not both).");
    if (retryFailed && resume == null) throw new UserError("--retry-failed goes with --resume DIR.");
    if (resume != null) adoptStoredOptions();
    boolean kube = executor == ExecutorKind.KUBERNETES;
    if (kube && backend == Backend.AUTO) backend = Backend.TORCH; // the worker image has PyTorch; this host need not
    if (trials < 1 || trials > 100) throw new UserError("--trials must be between 1 and 100, was " + trials + ".");
    if (budgetUsd != null && budgetUsd.signum() <= 0) {
      throw new UserError("--budget-usd must be a positive amount of USD, e.g. --budget-usd 25, was " + budgetUsd.toPlainString() + ".");
    }
    historyAt = history.checked();
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
    if (interferenceCases < 0 || interferenceCases > 100) {
      throw new UserError("--interference-cases must be between 0 and 100, was " + interferenceCases + ".");
    }
    String py = chosen == Backend.ONNX || kube ? null : LocalProcessExecutor.findPython(python);
    Path source = GenBench.workerSource();
    if (py != null && !Files.isDirectory(source.resolve("genbench_worker"))) {
      throw new UserError("The worker is missing: " + source + "/genbench_worker not found (genbench.home = " + GenBench.home() + ").");
    }
    Plan plan = resume != null ? PlanFile.read(RunDirectory.open(resume).file(RunDirectory.PLAN)) : PlanFile.read(planFile);
    if (resume != null) requireSamePlan(plan);
    Path root = resume != null ? resume : out != null ? out : Path.of("results", runId(planFile));
    io.genbench.env.Placement placed = detectInstance && resume == null ? detectPlacement() : null;
    try (io.genbench.cost.PriceBook book = prices.open(detectInstance);
        Executor ex = kube ? KubernetesOptions.executor(kubernetes.config(root.getFileName().toString(), tiny, weights, saveImages, chosen.label()),
            new io.genbench.execute.Pricer(book, region, lifecycle))
        : chosen == Backend.ONNX ? new OnnxExecutor(Ticker.SYSTEM, threads)
        : new LocalProcessExecutor(workerConfig(py, source, root, chosen), Ticker.SYSTEM,
            gpuList == null ? null : gpuList.getFirst())) {
      PriceOptions.requirePriced(book, region, plan.instanceTypes(), actualInstance, resume != null ? resume.toString() : planFile.toString(), resume == null);
      // what the backend cannot run is known now: skip it in a second rather than fail it after a model build
      java.util.Map<String, String> cannot = new java.util.LinkedHashMap<>();
      plan.cases().forEach(c -> ex.cannotRun(c).ifPresent(why -> cannot.put(c.id(), why)));
      if (!plan.cases().isEmpty() && cannot.size() == plan.cases().size()) {
        throw new UserError("None of the " + plan.cases().size() + " cases can run on backend " + ex.backend() + ": "
            + cannot.values().iterator().next() + ". Nothing was run.");
      }
      var costing = new Estimates.Costing(book, region, lifecycle, actualInstance);
      estimator = Estimates.forRun(plan, ex, chosen, executor, root, cannot);
      if (dryRun) {
        if (ex instanceof io.genbench.execute.kubernetes.KubernetesJobExecutor k) {
          // the manifests alone on stdout, so `--dry-run > jobs.yaml` is YAML that kubectl applies; the estimate beside
          System.err.print(DryRun.render(plan, ex, cannot, trials, estimator, costing));
          System.out.print(DryRun.manifests(plan, k, cannot));
        } else {
          System.out.print(DryRun.render(plan, ex, cannot, trials, estimator, costing));
        }
        return 0;
      }
      if (budgetUsd != null) {
        var estimate = Estimates.usd(plan, cannot, trials, estimator, costing);
        if (estimate.compareTo(budgetUsd) > 0) {
          throw new UserError("The estimated cost $" + estimate.toPlainString() + " (see --dry-run) exceeds --budget-usd "
              + budgetUsd.toPlainString() + ". Nothing was run. Raise the budget, or run fewer cases or trials.");
        }
      }
      RunDirectory dir;
      if (resume != null) {
        dir = RunDirectory.open(resume);
        dir.refuseLinks();
      } else {
        try {
          // plan and options appear with the directory or not at all: a kill at any moment leaves a resumable run
          String planText = Files.readString(planFile);
          dir = RunDirectory.create(root, java.util.Map.of(RunDirectory.PLAN, planText, OPTIONS,
              Json.PRETTY.writeValueAsString(new RunOptions(chosen.label(), tiny, weights, saveImages, lifecycle.label(),
                  region, actualInstance, trials, executor.label(), gpus,
                  PlanFingerprint.of(planText.getBytes(java.nio.charset.StandardCharsets.UTF_8), plan)))));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      int exitCode;
      try (RunDirectory.RunLock held = dir.lock(); var hint = resumeHint(dir)) {
        var views = new RunViews(dir);
        if (resume != null) {
          ReportCommand.removeLeftovers(dir);
          views.repair(plan);
          if (retryFailed) views.retryFailed(plan);
        }
        List<Runner.Slot> slots = gpuList == null ? null : slots(gpuList, ex, workerConfig(py, source, root, chosen));
        exitCode = runAndReport(dir, views, plan, chosen, ex, cannot, book, placed, slots);
      }
      // the run is complete and unlocked: a slow or locked history store delays nothing and a signal now loses nothing
      RunHistoryOptions.record(historyAt, dir, finished);
      return exitCode;
    }
  }

  /** Each case's expected wall time on this machine: the dry run's, --budget-usd's, --gpus placement's and the ETA's. */
  private io.genbench.execute.Estimator estimator;

  /** The results of the finished run, recorded in the history once the run is complete. */
  private List<CaseResult> finished = List.of();

  @Option(names = "--retry-failed", description = "with --resume: run again the cases that failed for a reason of the run"
      + " (infrastructure, worker error, timeout); findings such as out of memory stay")
  boolean retryFailed;

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

  private static ResumeHint resumeHint(RunDirectory dir) {
    return new ResumeHint(dir);
  }

  /** One slot per GPU: the first uses the executor already made, each other one of its own on its GPU. */
  private List<Runner.Slot> slots(List<String> gpuList, Executor first, LocalProcessExecutor.Config worker) {
    List<Runner.Slot> slots = new ArrayList<>();
    for (String g : gpuList) {
      slots.add(new Runner.Slot(g, slots.isEmpty() ? first : new LocalProcessExecutor(worker, Ticker.SYSTEM, g)));
    }
    return slots;
  }

  /** How this run starts the Python worker: the same for the one-worker run and for every GPU of --gpus. */
  private LocalProcessExecutor.Config workerConfig(String py, Path source, Path root, Backend chosen) {
    return new LocalProcessExecutor.Config(py, source, root.resolve("jobs"), tiny, weights, saveImages, chosen.label());
  }

  private Integer runAndReport(RunDirectory dir, RunViews views, Plan plan, Backend chosen, Executor ex, java.util.Map<String, String> cannot,
      io.genbench.cost.PriceBook book, io.genbench.env.Placement placed, List<Runner.Slot> slots) {
    writeEnvironment(dir, chosen, plan.settings());
    System.err.println("genbench: running " + plan.cases().size() + " cases" + (trials > 1 ? " x " + trials + " trials" : "")
        + " with backend " + ex.backend() + " into " + dir.root());
    Executor run = placed == null ? ex
        : new io.genbench.execute.PlacedExecutor(ex, placed, new io.genbench.execute.Pricer(book, region, lifecycle));
    var budgeted = budgetUsd == null ? null : new io.genbench.execute.BudgetedExecutor(run,
        new io.genbench.execute.BudgetedExecutor.Budget(budgetUsd, lifecycle, region, actualInstance), book, Ticker.SYSTEM);
    Runner runner = new Runner(budgeted != null ? budgeted : run, dir, book,
        new Runner.Pricing(lifecycle, region, actualInstance), id -> oneLine(views.finishCase(id)), Progress.forStderr());
    if (!cannot.isEmpty()) {
      System.err.println("genbench: skipping " + cannot.size() + " of " + plan.cases().size() + " cases that backend "
          + ex.backend() + " cannot run (" + cannot.values().iterator().next() + (cannot.size() > 1 ? "; ..." : "")
          + "); they are listed in the report");
      runner.skip(plan, cannot);
    }
    var expected = estimator.estimates(cannot.keySet());
    runner.expecting(c -> expected.containsKey(c.id()) ? expected.get(c.id()).seconds() : 0);
    if (slots == null) {
      runner.run(plan, trials);
    } else {
      List<Runner.Slot> placedSlots = slots.stream().map(sl -> placed == null ? sl : new Runner.Slot(sl.gpu(),
          new io.genbench.execute.PlacedExecutor(sl.executor(), placed, new io.genbench.execute.Pricer(book, region, lifecycle)))).toList();
      System.err.println("genbench: one worker per GPU on " + slots.size() + " GPUs (" + String.join(", ", slots.stream().map(Runner.Slot::gpu).toList()) + ")");
      boolean measured = expected.values().stream().allMatch(e -> e.source() == io.genbench.execute.Estimator.Source.CASE);
      System.err.println("genbench: --gpus: groups assigned to GPUs by their estimated wall time ("
          + (measured ? "from earlier runs of every case; each GPU runs its share in one worker)"
              : "not every case ran here before: a free GPU takes the next group, largest first)"));
      runner.run(plan, trials, placedSlots, c -> expected.containsKey(c.id()) ? expected.get(c.id()).seconds() : 0, measured);
      checkInterference(dir, views, plan, placedSlots.getFirst(), book);
    }
    if (budgeted != null && !budgeted.notRun().isEmpty()) {
      System.err.println("genbench: the budget of $" + budgetUsd.toPlainString() + " was reached ($"
          + io.genbench.cost.CostModel.round(budgeted.spentUsd()).toPlainString() + " spent); not run: "
          + String.join(", ", budgeted.notRun()));
    }
    return finish(dir, views);
  }

  /**
   * With --gpus: the {@code --interference-cases} quickest cases that ran beside other workers, run again alone on the
   * first GPU (into {@code interference/}); the report compares the two. Cases checked before (a resumed run) are not
   * run again.
   */
  private void checkInterference(RunDirectory dir, RunViews views, Plan plan, Runner.Slot slot, io.genbench.cost.PriceBook book) {
    if (interferenceCases == 0) return;
    RunDirectory alone = dir.sub(RunDirectory.INTERFERENCE);
    java.util.Map<String, io.genbench.plan.TestCase> byId = new java.util.HashMap<>();
    plan.cases().forEach(c -> byId.put(c.id(), c));
    List<io.genbench.plan.TestCase> pick = views.results().stream()
        .filter(r -> r.status() == CaseStatus.SUCCESS && r.where() != null && r.where().beside() != null
            && r.where().beside().hadNeighbours() && r.latency() != null && r.latency().get("e2e") != null)
        .sorted(java.util.Comparator.comparingLong(r -> r.latency().get("e2e").p50Ns()))
        .limit(interferenceCases).map(r -> byId.get(r.caseId())).filter(java.util.Objects::nonNull)
        .filter(c -> !alone.isDone(c.id())).toList();
    if (pick.isEmpty()) return;
    System.err.println("genbench: neighbour interference: measuring " + String.join(", ", pick.stream().map(io.genbench.plan.TestCase::id).toList())
        + " again alone on GPU " + slot.gpu());
    new Runner(slot.executor(), alone, book, new Runner.Pricing(lifecycle, region, actualInstance),
        id -> oneLine(views.finishAlone(id)), Progress.forStderr()).run(new Plan(plan.mode(), plan.settings(), pick), 1);
  }

  /**
   * {@code --detect-instance}: where this host runs; fills --actual-instance and --lifecycle where not given. Says what
   * it found, or that it found nothing (the run goes on as without the option).
   */
  private io.genbench.env.Placement detectPlacement() {
    java.util.Optional<io.genbench.env.Placement> found;
    if (io.genbench.execute.kubernetes.PodPlacement.inPod(System.getenv())) {
      // in a pod, the node's labels say where it runs (the pod's own IMDS access is often blocked, hop limit 1)
      try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
        found = io.genbench.execute.kubernetes.PodPlacement.detect(client, System.getenv(io.genbench.execute.kubernetes.PodPlacement.NODE_NAME));
      }
    } else {
      found = new io.genbench.env.InstanceMetadata(imdsEndpoint != null ? imdsEndpoint
          : io.genbench.env.InstanceMetadata.DEFAULT, java.time.Duration.ofSeconds(1)).detect();
    }
    if (found.isEmpty()) {
      System.err.println("genbench: --detect-instance: neither the pod's node labels nor instance metadata answered (not"
          + " EC2, IMDS disabled, or no permission to read the node); pricing as requested");
      return null;
    }
    var p = found.get();
    boolean explicitLifecycle = spec.commandLine().getParseResult().hasMatchedOption("--lifecycle");
    if (actualInstance == null) actualInstance = p.instanceType();
    if (!explicitLifecycle && p.lifecycle() != null) lifecycle = Lifecycle.parse(p.lifecycle(), "--detect-instance");
    System.err.println("genbench: --detect-instance (" + p.source() + "): " + p.instanceType() + ", " + p.lifecycle() + ", zone " + p.zone());
    return p;
  }

  /**
   * Views, console summary, exit status (the history record follows, once the run is unlocked): 0 only when every
   * case succeeded, ran out of GPU memory (a finding) or is one the backend cannot run (skipped up front, not a failure).
   */
  private int finish(RunDirectory dir, RunViews views) {
    markFinished(dir);
    RunReport report = views.rebuild();
    System.out.print(ConsoleSummary.render(report));
    System.out.println("report: " + dir.file(io.genbench.report.ReportFormat.MD.fileName()));
    System.out.println("html:   " + dir.file(io.genbench.report.ReportFormat.HTML.fileName()));
    System.out.flush();
    finished = report.results();
    // skipped cases (the backend cannot run them) and out-of-memory findings are not failures of the run
    boolean allGood = report.results().stream().allMatch(r -> r.status() != null && !r.status().isFailure());
    return allGood ? 0 : 3;
  }

  /**
   * A resumed run keeps the backend, model scale, weights and pricing it started with; an option given again must
   * agree, or the run would mix two kinds of measurement under one report.
   */
  private void adoptStoredOptions() {
    Path file = resume.resolve(OPTIONS);
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

  /** The plan created with the run, if it recorded one: a resume against an edited plan.yaml exits 2 naming the change. */
  private PlanFingerprint storedPlan;

  private void requireSamePlan(Plan plan) {
    Path file = RunDirectory.open(resume).file(RunDirectory.PLAN);
    try {
      PlanFingerprint.requireUnchanged(storedPlan, PlanFingerprint.of(Files.readAllBytes(file), plan), file);
    } catch (IOException e) {
      throw new io.genbench.store.StorageError(e, file, "read");
    }
  }

  private String adopt(String option, String given, String stored) {
    boolean explicit = spec.commandLine().getParseResult().hasMatchedOption(option);
    if (explicit && !java.util.Objects.equals(given, stored) && !(option.equals("--backend") && "auto".equals(given))) {
      throw new UserError("The run in " + resume + " was started with " + option + " " + stored + "; resuming it with "
          + option + " " + given + " would mix two kinds of result in one report. Leave the option out, or start a new run.");
    }
    return stored;
  }

  private Backend chooseBackend() {
    if (backend != Backend.AUTO) return backend;
    return hasGpu() && pythonOrNull() != null ? Backend.TORCH : Backend.ONNX;
  }

  private String pythonOrNull() {
    try {
      return LocalProcessExecutor.findPython(python);
    } catch (UserError e) {
      return null;
    }
  }

  private static boolean hasGpu() {
    return io.genbench.env.HostCommand.output(List.of("nvidia-smi", "-L"), java.time.Duration.ofSeconds(20)).isPresent();
  }

  private void writeEnvironment(RunDirectory dir, Backend chosen, Settings settings) {
    String library = chosen == Backend.ONNX ? OnnxExecutor.version() : "PyTorch worker (versions in each case's hello event)";
    List<String> cmd = new ArrayList<>(List.of("genbench", "run"));
    cmd.addAll(spec.commandLine().getParseResult().originalArgs().stream().skip(1).toList());
    var env = Environment.capture(GenBench.home(), chosen == Backend.ONNX ? "onnx-cpu" : chosen.label(), library, settings.seed(),
        Json.MAPPER.valueToTree(settings), cmd);
    // the embedded backend's speed depends on it: the figures are not comparable without it
    if (chosen == Backend.ONNX) env.put("onnxruntime_intra_op_threads", OnnxExecutor.intraOpThreads(threads));
    try {
      String name = resume == null ? RunDirectory.ENVIRONMENT : "environment.resumed-" + System.currentTimeMillis() + ".json";
      if (resume != null && !Files.exists(dir.file(RunDirectory.ENVIRONMENT))) name = RunDirectory.ENVIRONMENT;
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
      env.put("finished_at", java.time.Instant.now().toString());
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
