package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.load.LoadPlan;
import io.genbench.load.LoadSession;
import io.genbench.load.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code genbench load}: loads an HTTP inference endpoint and reports latency from the schedule, per load level. */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Loads HTTP inference endpoints (OpenAI images, completions, chat with SSE streaming, or a generic JSON"
        + " API) open- or closed-loop and measures every request from its scheduled time: response time (done - scheduled,"
        + " no coordinated omission), service time, dispatch lag, TTFT / TPOT / ITL, images/s and tokens/s, per level.",
        "Give one or more URLs (several are run one after the other with the same plan and compared), or one YAML load"
            + " plan with the same fields (targets, api, profile, duration_s, ...). Writes results/<id>-load/."},
    footer = {"", "Profiles: " + Profile.GRAMMAR, "", "Examples:",
        "  genbench load http://127.0.0.1:8000 --api openai-images --profile 'poisson 0.5' --duration 60",
        "  genbench load http://127.0.0.1:8000 --api openai-chat --profile 'sweep concurrency 1,4,16' --duration 30",
        "  # seed 003's plan: 10 prompts, 5 warm-up then 20 sequential requests each, two endpoints compared",
        "  genbench load http://fp32:8000 http://fp16:8000 --api openai-images --prompts prompts.txt --per-prompt 5+20",
        "  genbench load load.yaml",
        "  # 4 load-generator pods per level, each sending a quarter of the rate; figures from all their raw records",
        "  genbench load http://sd.svc:8000 --profile 'constant 200' --executor kubernetes --generators 4 --image genbench:0.1.0"})
final class LoadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "URL|PLAN", description = "endpoint URLs (a bare host gets the API's path), or one load plan (.yaml)")
  List<String> targets;

  @Option(names = "--api", description = "openai-images | openai-completions | openai-chat | generic (default openai-images)")
  String api;

  @Option(names = "--profile", paramLabel = "PROFILE", description = "how load is offered (see below; default 'concurrency 1')")
  String profile;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "measured seconds per level, after warm-up (default 10; 30s, 2m)")
  String duration;

  @Option(names = "--requests", paramLabel = "N", description = "measured requests per level (ends the level first if reached)")
  Integer requests;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "warm-up seconds at each level's start, excluded from figures")
  String warmup;

  @Option(names = "--warmup-requests", paramLabel = "N", description = "warm-up requests at each level's start")
  Integer warmupRequests;

  @Option(names = "--per-prompt", paramLabel = "W+M", description = "each prompt in file order: W warm-up then M measured requests")
  String perPrompt;

  @Option(names = "--prompt", description = "the prompt (without --prompts)")
  String prompt;

  @Option(names = "--prompts", paramLabel = "FILE", description = "prompts, one per line or JSONL ({\"prompt\": ...}), sampled with --seed")
  String promptsFile;

  @Option(names = "--seed", description = "seeds prompt sampling, Poisson arrivals and {{seed}} (default 1)")
  Long seed;

  @Option(names = "--connections", paramLabel = "N", description = "most connections per target (default 64); more requests wait, and the wait counts")
  Integer connections;

  @Option(names = "--http2", description = "HTTP/2 (prior knowledge on http://) instead of HTTP/1.1 keep-alive")
  Boolean http2;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "request timeout from the send (default 60)")
  String timeout;

  @Option(names = "--model", description = "the model field of OpenAI bodies")
  String model;

  @Option(names = "--size", paramLabel = "WxH", description = "images: size (default 512x512)")
  String size;

  @Option(names = "--n", description = "images per request (default 1)")
  Integer n;

  @Option(names = "--response-format", description = "images: b64_json | url (default b64_json)")
  String responseFormat;

  @Option(names = "--partial-images", paramLabel = "N", description = "images: stream each answer (OpenAI image streaming,"
      + " stream: true) with N partial images first; the first one's arrival is reported as the time to the first partial image")
  Integer partialImages;

  @Option(names = "--max-tokens", paramLabel = "N", description = "LLM: max_tokens (default 128)")
  Integer maxTokens;

  @Option(names = "--no-stream", description = "LLM: no SSE streaming (no TTFT, TPOT or ITL)")
  Boolean noStream;

  @Option(names = "--body", paramLabel = "JSON", description = "generic: body template with {{prompt}}, {{seed}}, {{index}}, {{model}}")
  String body;

  @Option(names = "--result-pointer", paramLabel = "POINTER", description = "generic: JSON pointer to the result (an array counts as images)")
  String resultPointer;

  @Option(names = "--header", paramLabel = "NAME=VALUE", description = "an extra request header (repeatable)")
  Map<String, String> headers;

  @Option(names = "--slo", paramLabel = "SLO", description = "service-level objectives judged per level, e.g. 'p95<=2s'")
  String slo;

  @Option(names = "--min-duration", paramLabel = "SECONDS", description = "a level measured for less is INVALID (default 10)")
  String minDuration;

  @Option(names = "--min-requests", paramLabel = "N", description = "a level with fewer measured requests is INVALID (default 50)")
  Integer minRequests;

  @Option(names = "--max-levels", paramLabel = "N", description = "the most levels a capacity search runs per target (default 40)")
  Integer maxLevels;

  @Option(names = "--instance-type", paramLabel = "T", description = "with a capacity search: the cost per 1000 images"
      + " (per million tokens) at the sustainable rate on this instance, spot and on-demand")
  String instanceType;

  @Option(names = "--region", defaultValue = "us-east-1", paramLabel = "R", description = "pricing region (default: ${DEFAULT-VALUE})")
  String region;

  @picocli.CommandLine.Mixin
  PriceOptions prices;

  @Option(names = "--out", paramLabel = "DIR", description = "the run directory (default results/<yyyyMMdd-HHmmss>-load)")
  Path out;

  // issue 17 item 7: --executor kubernetes, N load-generator pods per level merged from their raw records
  @Option(names = "--executor", defaultValue = "local", paramLabel = "local|kubernetes", description = "local: this machine"
      + " sends the load; kubernetes: --generators pods per level (Jobs) each send their share, and the figures come from"
      + " all their raw records (default: ${DEFAULT-VALUE})")
  io.genbench.execute.ExecutorKind executor;

  @Option(names = "--generators", defaultValue = "2", paramLabel = "N", description = "kubernetes: load-generator pods per"
      + " level; open loop: each sends every N-th arrival of the plan's schedule; closed loop: each runs its share of the"
      + " users (default: ${DEFAULT-VALUE})")
  int generators;

  @Option(names = "--generator-lead", defaultValue = "60s", paramLabel = "SECONDS", description = "kubernetes: how long"
      + " after a level's Jobs are created all generators start it, together (scheduling, image pull, JVM start; a"
      + " generator ready later makes its level INVALID) (default: ${DEFAULT-VALUE})")
  String generatorLead;

  @picocli.CommandLine.Mixin
  LoadKubernetesOptions kubernetes;

  @Option(names = "--generator", hidden = true, paramLabel = "I/N", description = "generator mode (a pod): this generator's share")
  String generatorShare;

  @Option(names = "--generator-target", hidden = true, defaultValue = "0")
  int generatorTarget;

  @Option(names = "--generator-level", hidden = true, defaultValue = "0")
  int generatorLevel;

  @Option(names = "--generator-start", hidden = true, paramLabel = "INSTANT")
  String generatorStart;

  // issue 17 item 6 (h4-loadcmp): the run's history record, as genbench run's, and its progress on --metrics-port
  @picocli.CommandLine.Mixin
  RunHistoryOptions history;

  @picocli.CommandLine.Mixin
  LoadMetricsOption metrics;

  @Override
  public Integer call() {
    io.genbench.history.HistoryLocation recordIn = history.checked();
    LoadPlan plan;
    Path base;
    Path first = Path.of(targets.get(0));
    if (targets.size() == 1 && (targets.get(0).endsWith(".yaml") || targets.get(0).endsWith(".yml"))) {
      if (!Files.isRegularFile(first)) throw new UserError("No load plan file " + first + ".");
      List<String> given = spec.commandLine().getParseResult().matchedOptions().stream().map(o -> o.longestName())
          .filter(o -> !List.of("--out", "--verbose", "--instance-type", "--region", "--prices", "--price-cache", "--price-ttl",
              "--aws-endpoint", "--executor", "--generators", "--generator-lead", "--namespace", "--image", "--service-account",
              "--image-pull-secret", "--job-template", "--unschedulable-timeout", "--generator", "--generator-target",
              "--generator-level", "--generator-start", "--no-history", "--history-url", "--metrics-port").contains(o)).toList();
      if (!given.isEmpty()) throw new UserError("Options " + given + " with a load plan: put them in " + first + " instead.");
      plan = LoadPlan.read(first);
      base = first.toAbsolutePath().getParent();
      if (generatorShare != null) return generate(plan, base);
    } else {
      String where = "command line";
      plan = new LoadPlan(targets, api == null ? "openai-images" : api, profile, seconds(duration, "--duration"), requests,
          seconds(warmup, "--warmup"), warmupRequests, perPrompt, prompt, promptsFile, seed, connections, http2,
          seconds(timeout, "--timeout"), model, size, n, responseFormat, maxTokens, noStream == null ? null : !noStream, body,
          resultPointer, headers == null ? null : new LinkedHashMap<>(headers), slo, seconds(minDuration, "--min-duration"),
          minRequests, maxLevels, partialImages).resolved(where);
      base = Path.of("").toAbsolutePath();
    }
    java.util.function.Function<io.genbench.capacity.CapacityResult, io.genbench.capacity.CapacityCost> cost = r -> null;
    if (instanceType != null) {
      io.genbench.cost.PriceBook book = prices.open(false);
      io.genbench.cost.InstancePrice price = book.lookup(instanceType, region).orElseThrow(() -> new UserError("No price for"
          + " --instance-type " + instanceType + " in " + region + " (live, cache or the bundled catalog); see genbench price."));
      cost = r -> io.genbench.capacity.CapacityCost.of(r, price);
    }
    if (generatorShare != null) throw new UserError("--generator is the mode of a load-generator pod: it reads a load plan (.yaml).");
    LoadSession.Result result;
    try (io.genbench.load.LoadGenerators remote = remoteGenerators(plan, base)) {
      result = LoadSession.run(plan, base, Path.of("results"), out, line -> System.err.println("genbench load: " + line), cost, remote,
          metrics.expose());
    }
    System.out.print(result.summary());
    System.out.println("Run directory: " + result.dir());
    io.genbench.run.HistoryRecord.writeLoad(recordIn, result.dir());
    return result.anyLevelFailed() ? 3 : 0;
  }

  /** The Kubernetes generators of --executor kubernetes, null for local; options checked before anything starts. */
  private io.genbench.load.LoadGenerators remoteGenerators(LoadPlan plan, Path base) {
    if (executor != io.genbench.execute.ExecutorKind.KUBERNETES) {
      if (spec.commandLine().getParseResult().hasMatchedOption("--generators")) {
        throw new UserError("--generators needs --executor kubernetes: on this machine one generator sends the whole load.");
      }
      return null;
    }
    // refused before a client to the cluster exists
    io.genbench.load.GeneratorShare.check(plan, plan.parsedProfile("load plan", base), generators, "--generators");
    Double lead = seconds(generatorLead, "--generator-lead");
    if (!(lead >= 1) || lead > 3600) throw new UserError("--generator-lead must be between 1 s and 1 h, was " + generatorLead + ".");
    var config = kubernetes.config("genbench-load-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
    return new KubernetesLoadGenerators(new io.genbench.execute.kubernetes.GeneratorJobs(client, config), plan, generators,
        java.time.Duration.ofMillis(Math.round(lead * 1000)));
  }

  /** Generator mode, in a pod: this share of one level, its raw records printed to stdout. */
  private Integer generate(LoadPlan plan, Path base) {
    io.genbench.load.GeneratorShare share = io.genbench.load.GeneratorShare.parse(generatorShare, "--generator");
    if (generatorStart == null) throw new UserError("--generator needs --generator-start (the level's agreed start, an ISO-8601 instant).");
    java.time.Instant start;
    try {
      start = java.time.Instant.parse(generatorStart);
    } catch (java.time.format.DateTimeParseException e) {
      throw new UserError("--generator-start \"" + generatorStart + "\" is not an ISO-8601 instant, e.g. 2026-12-06T12:00:00Z.");
    }
    io.genbench.load.GeneratorPod.run(plan, base, share, generatorTarget, generatorLevel, start, spec.commandLine().getOut(),
        line -> System.err.println("genbench load: " + line), io.genbench.load.LoadClock.SYSTEM, java.time.Clock.systemUTC());
    return 0;
  }

  /** Seconds from {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}; null stays null. */
  static Double seconds(String s, String option) {
    if (s == null) return null;
    String t = s.strip().toLowerCase(java.util.Locale.ROOT);
    double scale = 1;
    if (t.endsWith("ms")) {
      scale = 1e-3;
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      scale = 60;
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Double.parseDouble(t) * scale;
    } catch (NumberFormatException e) {
      throw new UserError("Bad " + option + " \"" + s + "\": give seconds, e.g. 30, 30s, 500ms or 2m.");
    }
  }
}
