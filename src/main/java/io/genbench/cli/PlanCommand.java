package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.cost.PriceCatalog;
import io.genbench.plan.Mode;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.plan.TestMatrix;
import io.genbench.store.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code genbench plan}: writes the test matrix of a seed mode as a plan file. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Writes a test plan: every case of a mode's matrix, each with its stable id.",
        "Options given replace that dimension of the mode's defaults; the plan is YAML (or JSON for a .json output)"
            + " and may be edited by hand before `genbench run`."})
final class PlanCommand implements Callable<Integer> {

  @Option(names = "--mode", defaultValue = "mixed", paramLabel = "MODE",
      description = "comparison | sdxl_only | sd_only | instance_optimized | mixed (default: ${DEFAULT-VALUE}); see the modes below")
  String mode;

  @Option(names = "--models", arity = "1..*", paramLabel = "MODEL", description = "model ids, e.g. stabilityai/stable-diffusion-2-1 stabilityai/stable-diffusion-xl-base-1.0 (see `genbench models`)")
  List<String> models;

  @Option(names = "--instance-types", arity = "1..*", paramLabel = "TYPE", description = "instance types that price the cases, e.g. g6e.xlarge g5.xlarge")
  List<String> instanceTypes;

  @Option(names = "--batch-sizes", arity = "1..*", paramLabel = "N", description = "images per request, e.g. 1 4")
  List<Integer> batchSizes;

  @Option(names = "--inference-steps", arity = "1..*", paramLabel = "N", description = "denoising steps, e.g. 15 25 50")
  List<Integer> inferenceSteps;

  @Option(names = "--resolutions", arity = "1..*", paramLabel = "WxH", description = "image sizes, e.g. 512x512 1024x1024 (default: the mode's, or each model's native one)")
  List<String> resolutions;

  @Option(names = "--precisions", arity = "1..*", paramLabel = "P", description = "float32 | float16 | bfloat16")
  List<String> precisions;

  @Option(names = "--prompt", paramLabel = "TEXT", description = "the prompt (default: \"" + TestCase.DEFAULT_PROMPT + "\")")
  String prompt;

  @Option(names = "--comparison-memory-request", paramLabel = "Q", description = "memory request of every case, e.g. 12Gi (comparison default: 12Gi)")
  String memoryRequest;

  @Option(names = "--comparison-memory-limit", paramLabel = "Q", description = "memory limit of every case, e.g. 15Gi (comparison default: 15Gi)")
  String memoryLimit;

  @Option(names = "--attention", arity = "1..*", paramLabel = "A", description = "attention kernels to compare: sdpa | math (default: sdpa)")
  List<String> attention;

  @Option(names = "--cuda-graphs", arity = "1..*", paramLabel = "T", description = "CUDA graphs, as a dimension: auto | on | off (default: auto, on for CUDA: diffusion UNets, and LLM decode over a static KV cache)")
  List<String> cudaGraphs;

  @Option(names = "--compile", arity = "1..*", paramLabel = "on|off", description = "torch.compile, as a dimension (default: off)")
  List<String> compile;

  @Option(names = "--channels-last", arity = "1..*", paramLabel = "T", description = "channels_last memory format, as a dimension: auto | on | off (default: auto, on for the CUDA SD 1.x/2.x UNet at batch 1)")
  List<String> channelsLast;

  @Option(names = "--frames", paramLabel = "N", description = "video frames for SVD (default: 14)")
  Integer frames;

  @Option(names = "--prompt-tokens", paramLabel = "N", description = "LLM prompt length (default: 128)")
  Integer promptTokens;

  @Option(names = "--output-tokens", paramLabel = "N", description = "LLM generated tokens (default: 64)")
  Integer outputTokens;

  @Option(names = "--warmup", paramLabel = "N", description = "warm-up iterations per case at least, never measured; warm-up goes on until"
      + " timing is steady (default: ${DEFAULT-VALUE})", defaultValue = "1")
  int warmup;

  @Option(names = "--min-iterations", paramLabel = "N", description = "measured iterations at least (default: ${DEFAULT-VALUE})", defaultValue = "10")
  int minIterations;

  @Option(names = "--max-iterations", paramLabel = "N", description = "measured iterations at most (default: ${DEFAULT-VALUE})", defaultValue = "100")
  int maxIterations;

  @Option(names = "--min-duration", paramLabel = "S", description = "measure for at least this many seconds, within --max-iterations (default: ${DEFAULT-VALUE})", defaultValue = "5")
  double minDuration;

  @Option(names = "--timeout", paramLabel = "S", description = "seconds before a case is killed as TIMEOUT (default: ${DEFAULT-VALUE})", defaultValue = "1800")
  double timeout;

  @Option(names = "--seed", paramLabel = "N", description = "seed for latents and random weights (default: ${DEFAULT-VALUE})", defaultValue = "42")
  long seed;

  @Option(names = {"--output", "-o"}, paramLabel = "FILE", description = "where to write the plan (.yaml, or .json); default: stdout")
  Path output;

  @Option(names = "--force", description = "overwrite --output if it exists (default: refuse)")
  boolean force;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Mode m = Mode.parse(mode, "--mode");
    TestMatrix matrix = new TestMatrix(m, models, instanceTypes, batchSizes, inferenceSteps, resolutions, precisions, prompt,
        memoryRequest, memoryLimit, attention, toggles("--cuda-graphs", cudaGraphs), onOff("--compile", compile),
        toggles("--channels-last", channelsLast), frames, promptTokens, outputTokens);
    PriceCatalog catalog = PriceCatalog.bundled();
    if (instanceTypes != null) instanceTypes.forEach(t -> catalog.requireInstanceType(t, "--instance-types"));
    List<TestCase> cases = matrix.cases(type -> catalog.lookup(type, null)
        .filter(p -> p.gpuMemoryGb() > 0).map(p -> OptionalDouble.of(p.gpuMemoryGb())).orElse(OptionalDouble.empty()));
    Settings settings;
    try {
      settings = new Settings(warmup, minIterations, maxIterations, minDuration, timeout, seed);
    } catch (IllegalArgumentException e) {
      throw new UserError("Bad measurement option: " + flags(e.getMessage()) + ".");
    }
    Plan plan = new Plan(m, settings, cases);
    boolean json = output != null && output.toString().toLowerCase(Locale.ROOT).endsWith(".json");
    String args = String.join(" ", io.genbench.Secrets.redact(spec.commandLine().getParseResult().originalArgs())).replaceFirst("^plan ", "");
    String text = json ? PlanFile.toJson(plan) : PlanFile.toYaml(plan, "genbench plan " + args + "\n" + cases.size()
        + " cases. Mode " + m.label() + " defaults: " + m.description() + ".\nEdit freely: `genbench run` checks every key and value.");
    try {
      PlanFile.parse(text, "the plan"); // what is written must read back: the same bounds as a hand-written plan
    } catch (UserError e) {
      throw new UserError(flags(e.getMessage()));
    }
    if (output == null) {
      System.out.print(text);
    } else {
      if (java.nio.file.Files.exists(output) && !force) {
        throw new UserError("Plan file " + output + " exists: give --force to overwrite it, or another --output.");
      }
      RunDirectory.writeAtomic(output.toAbsolutePath(), text);
      System.err.println("wrote " + cases.size() + " cases (mode " + m.label() + ") to " + output);
    }
    return 0;
  }

  private static String flags(String message) {
    return message.replace("max_warmup_iterations", "max warm-up iterations").replace("warmup_iterations", "--warmup")
        .replace("min_iterations", "--min-iterations").replace("max_iterations", "--max-iterations")
        .replace("min_duration_s", "--min-duration").replace("timeout_s", "--timeout").replace("the plan settings", "genbench plan");
  }

  private static List<Boolean> onOff(String option, List<String> values) {
    if (values == null) return null;
    return values.stream().map(v -> switch (v.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new UserError("Bad value \"" + v + "\" in " + option + ". Known: on, off.");
    }).toList();
  }

  private static List<io.genbench.plan.Toggle> toggles(String option, List<String> values) {
    return values == null ? null : values.stream().map(v -> io.genbench.plan.Toggle.parse(v, option)).toList();
  }

  /** The help footer: the modes, then examples. */
  static String[] footer() {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("");
    lines.add("Modes (what each varies, what it holds fixed, and why):");
    for (Mode m : Mode.values()) {
      // wrapped here, with a hanging indent, so picocli keeps each mode's lines together
      StringBuilder line = new StringBuilder("  " + m.label() + ":");
      for (String word : m.description().split(" ")) {
        if (line.length() + 1 + word.length() > 78) {
          lines.add(line.toString());
          line = new StringBuilder("      ");
        } else {
          line.append(' ');
        }
        line.append(word);
      }
      lines.add(line.toString());
    }
    lines.addAll(List.of("", "Examples:", "  genbench plan --mode sd_only --output plan.yaml",
        "  genbench plan --mode comparison --instance-types g5.xlarge g6e.xlarge",
        "  genbench plan --mode sdxl_only --batch-sizes 1 4 -o sdxl.yaml --force"));
    return lines.toArray(String[]::new);
  }
}
