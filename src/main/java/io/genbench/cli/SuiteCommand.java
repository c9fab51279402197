package io.genbench.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.suite.Experiment;
import io.genbench.suite.SuiteConfig;
import io.genbench.suite.SuiteHtml;
import io.genbench.suite.SuitePlan;
import io.genbench.suite.SuiteReport;
import io.genbench.suite.SuiteRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench suite}: multi-GPU experiments through PyTorch's launcher (seeds 001 and 002). */
@Command(name = "suite", mixinStandardHelpOptions = true,
    description = {"Runs a multi-GPU experiment on this host: one worker process per GPU under PyTorch's launcher"
        + " (torch.distributed.run, NCCL), rendezvous on 127.0.0.1. --simulate runs the same code as CPU processes with"
        + " gloo and tiny sizes. Writes results/<id>/ (suite.jsonl raw events, environment.json, results.json, CSV,"
        + " report.md) and prints the tables.",
        "Experiments: collectives, bandwidth, pipeline-diffusion, tp, pp-overhead, seq-scaling; sets: quick (a few"
            + " minutes), comprehensive (everything), each ending in one report.md with recommendations."},
    footer = {"", "Examples:", "  genbench suite collectives --gpus 2 --max-bytes 1073741824",
        "  genbench suite pipeline-diffusion --gpu-counts 1 2 4 7 --total-steps 28 --latent-shape 1 4 14 64 64 --num-samples 10",
        "  genbench suite tp --tp-sizes 1 2 --model facebook/opt-1.3b",
        "  genbench suite pp-overhead --gpus 2 --micro-batches 8 --schedule 1f1b",
        "  genbench suite seq-scaling --config suite.yaml",
        "  genbench suite quick --gpus 2",
        "  genbench suite comprehensive --gpus 2 --config suite.yaml",
        "  genbench suite collectives --simulate", "",
        "Exit codes: 0 every launch finished and every correctness check held; 1 internal error; 2 bad usage (nothing"
            + " ran); 3 a launch failed, timed out or computed a wrong result."})
final class SuiteCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "collectives | bandwidth | pipeline-diffusion | tp | pp-overhead | seq-scaling | quick | comprehensive")
  String experiment;

  @Option(names = "--gpus", paramLabel = "N", description = "GPUs (ranks) to use (default: every GPU nvidia-smi lists; 2 with --simulate)")
  Integer gpus;

  @Option(names = "--simulate", description = "CPU processes with gloo and tiny sizes: tests the logic anywhere")
  boolean simulate;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "results", description = "parent of the run directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--python", paramLabel = "PATH", description = "interpreter with torch (default: GENBENCH_PYTHON, python3, /usr/bin/python3)")
  String python;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3600", description = "per launch; the process tree is killed after it (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(names = "--config", paramLabel = "FILE", description = "suite configuration (YAML): models, sequence_lengths,"
      + " batch_sizes, samples, output_tokens, warmup, tp_sizes, micro_batches, gpu_counts, total_steps, num_samples,"
      + " min_bytes, max_bytes, precision, seed; unknown keys exit 2")
  Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any experiment setting (value as JSON, else a string), e.g. --set iterations=50")
  List<String> sets = new ArrayList<>();

  @Option(names = "--min-bytes", paramLabel = "B", description = "collectives, bandwidth: smallest message") Long minBytes;
  @Option(names = "--max-bytes", paramLabel = "B", description = "collectives, bandwidth: largest message (GPU default 1 GiB)") Long maxBytes;
  @Option(names = "--operations", split = ",", paramLabel = "OP", description = "collectives: all_reduce,all_gather,reduce_scatter,broadcast,all_to_all,send_recv") List<String> operations;
  @Option(names = "--iterations", paramLabel = "N", description = "measured iterations per size") Integer iterations;
  @Option(names = "--warmup", paramLabel = "N", description = "unmeasured iterations first") Integer warmup;

  @Option(names = "--gpu-counts", arity = "1..*", split = ",", paramLabel = "N", description = "pipeline-diffusion: GPU counts to compare (default: 1, 2, 4, … up to --gpus)") List<Integer> gpuCounts;
  @Option(names = "--total-steps", paramLabel = "S", description = "pipeline-diffusion: denoising steps; must divide by every GPU count (default 28; 4 simulated)") Integer totalSteps;
  @Option(names = "--latent-shape", arity = "5", paramLabel = "B C F H W", hideParamSyntax = true, description = "pipeline-diffusion: latent shape (default 1 4 14 64 64)") List<Integer> latentShape;
  @Option(names = "--num-samples", paramLabel = "N", description = "pipeline-diffusion: samples streamed through the pipeline (default 10)") Integer numSamples;
  @Option(names = "--seed", paramLabel = "N", description = "random seed for weights and latents (default 0)") Long seed;
  @Option(names = "--model-id", paramLabel = "ID", description = "pipeline-diffusion: SVD model (default stabilityai/stable-video-diffusion-img2vid-xt)") String modelId;
  @Option(names = "--fps", paramLabel = "N", description = "pipeline-diffusion: conditioning frame rate (default 6)") Integer fps;
  @Option(names = "--motion-bucket-id", paramLabel = "N", description = "pipeline-diffusion: motion bucket 0-255 (default 127)") Integer motionBucketId;

  @Option(names = "--tp-sizes", arity = "1..*", split = ",", paramLabel = "N", description = "tp: tensor-parallel sizes (default: 1, 2, 4, … up to --gpus)") List<Integer> tpSizes;
  @Option(names = "--model", paramLabel = "ID", description = "tp, pp-overhead: OPT model (default facebook/opt-1.3b; tiny when simulated)") String model;
  @Option(names = "--micro-batches", paramLabel = "M", description = "pp-overhead: micro-batches per batch (default 8)") Integer microBatches;
  @Option(names = "--schedule", split = ",", paramLabel = "S", description = "pp-overhead: gpipe,1f1b (default both)") List<String> schedules;

  @Override
  public Integer call() {
    SuiteConfig file = configFile == null ? SuiteConfig.empty() : SuiteConfig.read(configFile);
    boolean set = SuitePlan.isSet(experiment);
    Experiment exp = set ? null : Experiment.parse(experiment);
    if (timeoutSeconds < 1) throw new UserError("--timeout must be >= 1 second, was " + timeoutSeconds);
    int available = simulate ? 0 : SuiteRun.detectGpus();
    int ranks = gpus != null ? gpus : simulate ? 2 : available;
    if (ranks < 1) {
      throw new UserError(simulate || gpus != null ? "--gpus must be >= 1, was " + ranks
          : "No GPU found (nvidia-smi -L lists none). Use --simulate for CPU processes with gloo.");
    }
    if (simulate && ranks > 16) throw new UserError("--gpus with --simulate must be at most 16, was " + ranks);
    if (!simulate && ranks > available) {
      throw new UserError("--gpus " + ranks + ": this host has " + available + " GPU(s) (nvidia-smi -L). Valid: "
          + (available == 0 ? "none; use --simulate for CPU processes with gloo." : "1.." + available + ", or --simulate."));
    }
    String py = LocalProcessExecutor.findPython(python, "genbench suite",
        "or give --python PATH (every experiment, --simulate too, runs in the PyTorch worker: suite has no other backend)");
    SuiteRun run;
    String origin = configFile == null ? "the options and --set" : "--config " + configFile + ", the options and --set";
    if (set) {
      List<SuiteRun.Step> steps = SuitePlan.steps(experiment, ranks, simulate, file);
      for (SuiteRun.Step step : steps) SuiteConfig.checkSettings(step.config(), experiment + " " + step.experiment().label() + ", from " + origin);
      run = new SuiteRun(experiment.toLowerCase(java.util.Locale.ROOT), steps,
          simulate, Duration.ofSeconds(timeoutSeconds), py, GenBench.workerSource());
    } else {
      ObjectNode config = config(exp, file);
      // what the worker would fail on after a launch (exit 3), or measure nothing with, is refused here (exit 2)
      SuiteConfig.checkSettings(config, origin);
      List<Integer> counts = exp == Experiment.SEQ_SCALING ? List.of(1) : processCounts(exp, ranks, config);
      run = SuiteRun.of(exp, counts, simulate, config, Duration.ofSeconds(timeoutSeconds), py, GenBench.workerSource());
    }
    Path dir = run.newDirectory(out);
    SuiteReport report = run.run(dir, GenBench.home(), commandLine(), System.err);
    SuiteHtml.write(dir, report);
    report.unreadable().ifPresent(why -> System.err.println("genbench: " + why + "."));
    System.out.print(report.markdown());
    System.err.println("suite: " + dir + (report.ok() ? "" : " (NOT OK: see report.md and suite.log)"));
    return report.ok() ? 0 : 3;
  }

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** The command as typed, every option included (environment.json's {@code command_line}). */
  private List<String> commandLine() {
    List<String> c = new ArrayList<>(List.of("genbench"));
    c.addAll(spec.commandLine().getParseResult().originalArgs());
    return c;
  }

  List<Integer> processCounts(Experiment exp, int ranks, ObjectNode config) {
    if (!exp.sweepsProcessCounts()) return List.of(ranks);
    List<Integer> requested = exp == Experiment.TP ? tpSizes : gpuCounts;
    String option = exp == Experiment.TP ? "--tp-sizes" : "--gpu-counts";
    List<Integer> counts = requested != null ? List.copyOf(requested) : powersUpTo(ranks);
    for (int n : counts) {
      if (n < 1) throw new UserError(option + " must be >= 1, was " + n);
      if (n > ranks) throw new UserError(option + " " + n + " exceeds --gpus " + ranks + " (the GPUs this run may use). Valid: 1.." + ranks + ".");
    }
    if (exp == Experiment.PIPELINE_DIFFUSION) {
      int steps = config.path("total_steps").asInt();
      List<Integer> failing = counts.stream().filter(n -> steps % n != 0).toList();
      if (!failing.isEmpty()) {
        throw new UserError("--total-steps " + steps + " does not divide by GPU count(s) " + join(failing) + " of --gpu-counts "
            + join(counts) + ": each GPU runs total-steps / GPU-count steps. Use a multiple of every count, e.g. "
            + counts.stream().reduce(1, SuiteCommand::lcm) * Math.max(1, steps / counts.stream().reduce(1, SuiteCommand::lcm)) + ".");
      }
    }
    return counts;
  }

  static List<Integer> powersUpTo(int n) {
    List<Integer> out = new ArrayList<>();
    for (int p = 1; p <= n; p *= 2) out.add(p);
    if (out.get(out.size() - 1) != n) out.add(n);
    return out;
  }

  private static int lcm(int a, int b) {
    int x = a, y = b;
    while (y != 0) {
      int t = x % y;
      x = y;
      y = t;
    }
    return a / x * b;
  }

  private static String join(List<Integer> values) {
    return String.join(", ", values.stream().map(String::valueOf).toList());
  }

  ObjectNode config(Experiment exp) {
    return config(exp, SuiteConfig.empty());
  }

  /** The experiment's settings: the config file's keys that apply to it, then the options, then --set. */
  ObjectNode config(Experiment exp, SuiteConfig file) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    for (String k : List.of("seed", "warmup", "precision", "min_bytes", "max_bytes")) if (file.has(k)) c.set(k, file.get(k));
    if (exp == Experiment.SEQ_SCALING) {
      for (String k : List.of("models", "sequence_lengths", "batch_sizes", "samples", "output_tokens")) if (file.has(k)) c.set(k, file.get(k));
    }
    SuiteConfig.Settings set = file.settings();
    if ((exp == Experiment.TP || exp == Experiment.PP_OVERHEAD) && set.models() != null) c.put("model", set.models().getLast());
    if (exp == Experiment.TP) {
      if (set.batchSizes() != null) c.put("batch_size", set.batchSizes().getFirst());
      if (file.has("output_tokens")) c.set("output_tokens", file.get("output_tokens"));
    }
    if (file.has("samples") && exp != Experiment.SEQ_SCALING) c.set(exp == Experiment.PIPELINE_DIFFUSION ? "num_samples" : "iterations", file.get("samples"));
    if (exp == Experiment.PIPELINE_DIFFUSION && file.has("num_samples")) c.set("num_samples", file.get("num_samples"));
    if (exp == Experiment.PIPELINE_DIFFUSION && set.totalSteps() != null && totalSteps == null) totalSteps = set.totalSteps();
    if (exp == Experiment.TP && tpSizes == null && set.tpSizes() != null) tpSizes = new ArrayList<>(set.tpSizes());
    if (exp == Experiment.PIPELINE_DIFFUSION && gpuCounts == null && set.gpuCounts() != null) gpuCounts = new ArrayList<>(set.gpuCounts());
    if (exp == Experiment.PP_OVERHEAD && set.microBatches() != null) c.put("micro_batches", set.microBatches().getFirst());
    if (minBytes != null) c.put("min_bytes", minBytes);
    if (maxBytes != null) c.put("max_bytes", maxBytes);
    if (operations != null) c.putPOJO("operations", operations);
    if (iterations != null) c.put("iterations", iterations);
    if (warmup != null) c.put("warmup", warmup);
    if (seed != null) c.put("seed", seed);
    if (exp == Experiment.PIPELINE_DIFFUSION) {
      c.put("total_steps", totalSteps != null ? totalSteps : simulate ? 4 : 28);
      if (c.path("total_steps").asInt() < 1) throw new UserError("--total-steps must be >= 1, was " + totalSteps);
      if (latentShape != null) {
        if (latentShape.stream().anyMatch(v -> v < 1)) throw new UserError("--latent-shape values must be >= 1, was " + latentShape);
        c.putPOJO("latent_shape", latentShape);
      }
      if (numSamples != null) {
        if (numSamples < 1) throw new UserError("--num-samples must be >= 1, was " + numSamples);
        c.put("num_samples", numSamples);
      }
      if (modelId != null) c.put("model_id", modelId);
      if (fps != null) c.put("fps", fps);
      if (motionBucketId != null) {
        if (motionBucketId < 0 || motionBucketId > 255) throw new UserError("--motion-bucket-id must be 0..255, was " + motionBucketId);
        c.put("motion_bucket_id", motionBucketId);
      }
    }
    if (model != null) c.put("model", model);
    if (microBatches != null) {
      if (microBatches < 1) throw new UserError("--micro-batches must be >= 1, was " + microBatches);
      c.put("micro_batches", microBatches);
    }
    if (schedules != null) {
      for (String s : schedules) {
        if (!s.equals("gpipe") && !s.equals("1f1b")) throw new UserError("Unknown --schedule \"" + s + "\". Known: gpipe, 1f1b.");
      }
      c.putPOJO("schedules", schedules);
    }
    for (String kv : sets) {
      int eq = kv.indexOf('=');
      if (eq < 1) throw new UserError("--set expects KEY=VALUE, was \"" + kv + "\"");
      String value = kv.substring(eq + 1);
      JsonNode parsed;
      try {
        parsed = Json.MAPPER.readTree(value);
        if (parsed == null || parsed.isMissingNode()) parsed = Json.MAPPER.getNodeFactory().textNode(value);
      } catch (JsonProcessingException e) {
        parsed = Json.MAPPER.getNodeFactory().textNode(value);
      }
      c.set(kv.substring(0, eq), parsed);
    }
    return Json.MAPPER.valueToTree(c);
  }
}
