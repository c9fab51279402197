package io.genbench.cli;

import io.genbench.cost.Lifecycle;
import io.genbench.execute.Backend;
import io.genbench.execute.ExecutorKind;
import io.genbench.report.ConsoleSummary;
import io.genbench.report.ReportFormat;
import io.genbench.run.HistoryRecord;
import io.genbench.run.RunRequest;
import io.genbench.run.RunStage;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code genbench run}: runs every case of a plan and writes the run directory ({@link RunStage} does the work). */
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
      description = "run every case N times, interleaved (A B C A B C ...), each trial in the run's kept worker (with"
          + " --fresh-workers: in a fresh process and CUDA context); reports per-trial medians, their spread and a 95-percent CI of each case's median, and flags"
          + " trials that disagree. Costs N times the run time. Use for decisions and A/B comparisons (default: 1)")
  int trials;

  @Option(names = "--fresh-workers", description = "start a fresh worker process for every model group and trial"
      + " (process start, torch import, CUDA init each time), as JMH forks do. Default: one worker per GPU (or one for"
      + " the run) kept for the whole run, its last model kept built while the next group can reuse it")
  boolean freshWorkers;

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

  @Option(names = "--measure-each", description = "run every case, also one that differs from an earlier case only in"
      + " the instance type it is priced as (by default, on this machine such a case is the same work: it is measured"
      + " once and priced per instance type)")
  boolean measureEach; // read through the options given (RunRequest.gave)

  @Option(names = "--budget-usd", paramLabel = "X", description = "refuse to start when the dry-run estimate exceeds X"
      + " USD; stop launching workers once the spend (measured time x the price paid) reaches X, and say which cases"
      + " were not run")
  BigDecimal budgetUsd;

  @Option(names = "--detect-instance", description = "ask where this host runs, to fill actual_instance, lifecycle and"
      + " zone: in a Kubernetes pod its node's labels, on EC2 the instance-metadata service (IMDSv2; also allows its"
      + " credentials). Without this option genbench never contacts instance metadata")
  boolean detectInstance;

  /** For tests: the instance-metadata service's address. */
  @Option(names = "--imds-endpoint", hidden = true, paramLabel = "URL")
  URI imdsEndpoint;

  @Mixin
  PriceOptions prices;

  @Mixin
  KubernetesOptions kubernetes;

  @Mixin
  RunHistoryOptions history;

  @Mixin
  RunMetricsOption metricsPort;

  @Option(names = "--retry-failed", description = "with --resume: run again the cases that failed for a reason of the run"
      + " (infrastructure, worker error, timeout); findings such as out of memory stay")
  boolean retryFailed; // declared after the mixins: --help lists it last, as before

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    var parsed = spec.commandLine().getParseResult();
    var given = parsed.matchedOptions().stream().map(o -> o.longestName()).collect(Collectors.toUnmodifiableSet());
    var request = new RunRequest(planFile, resume, retryFailed, backend, executor, out, lifecycle, region, actualInstance,
        python, tiny, weights, saveImages, threads, trials, freshWorkers, gpus, interferenceCases, dryRun, budgetUsd, detectInstance,
        imdsEndpoint, prices.settings(), kubernetes.request(), history.off, history.url, given,
        parsed.originalArgs().stream().skip(1).toList(), GenBench.home());
    return switch (new RunStage(request).onStart(metricsPort::expose).run()) {
      case RunStage.Estimated e when e.manifests() != null -> {
        // the manifests alone on stdout, so `--dry-run > jobs.yaml` is YAML that kubectl applies; the estimate beside
        System.err.print(e.estimate());
        System.out.print(e.manifests());
        yield ExitCode.OK.code();
      }
      case RunStage.Estimated e -> {
        System.out.print(e.estimate());
        yield ExitCode.OK.code();
      }
      case RunStage.Finished f -> {
        System.out.print(ConsoleSummary.render(f.report()));
        System.out.println("report: " + f.dir().file(ReportFormat.MD.fileName()));
        System.out.println("html:   " + f.dir().file(ReportFormat.HTML.fileName()));
        System.out.flush();
        // the run is complete and unlocked: a slow or locked history store delays nothing and a signal now loses nothing
        HistoryRecord.write(f.history(), f.dir(), f.report().results());
        // skipped cases (the backend cannot run them) and out-of-memory findings are not failures of the run
        yield (f.allGood() ? ExitCode.OK : ExitCode.CASES_FAILED).code();
      }
    };
  }
}
