package io.genbench.load;

import io.genbench.UserError;
import io.genbench.capacity.CapacityCost;
import io.genbench.capacity.CapacityResult;
import io.genbench.capacity.CapacitySearch;
import io.genbench.capacity.Slo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code genbench load} stage between parsing and printing: runs a resolved plan (or, for {@code sweep} with an
 * SLO, the capacity search per target), computes each level's figures from its raw records, judges each level
 * (validity, SLO), writes the run directory and returns the run. Testable without the CLI.
 */
public final class LoadSession {
  private LoadSession() {}

  /**
   * The run and where it was written.
   *
   * @param generatorFailed whether some remote generator of some level failed (that level is INVALID and says which)
   */
  public record Result(Path dir, LoadOutput.LoadRun run, boolean generatorFailed) {
    public Result(Path dir, LoadOutput.LoadRun run) {
      this(dir, run, false);
    }

    /** The console summary. */
    public String summary() {
      return LoadReport.console(run);
    }

    /** True when some level had no successful measured request, or a remote generator of some level failed. */
    public boolean anyLevelFailed() {
      return generatorFailed || run.stats().stream().anyMatch(s -> s.ok() == 0);
    }
  }

  /**
   * Runs {@code plan}; prompts and trace files resolve against {@code base}; the run directory is created under
   * {@code resultsRoot} as {@code <yyyyMMdd-HHmmss>-load} (a suffix when taken), or is {@code outDir} when given.
   */
  public static Result run(LoadPlan plan, Path base, Path resultsRoot, Path outDir, Consumer<String> progress) {
    return run(plan, base, resultsRoot, outDir, progress, r -> null);
  }

  /** As above; {@code cost} prices a capacity search's answer (null: no price given). */
  public static Result run(LoadPlan plan, Path base, Path resultsRoot, Path outDir, Consumer<String> progress,
      Function<CapacityResult, CapacityCost> cost) {
    return run(plan, base, resultsRoot, outDir, progress, cost, null, LoadObserver.NONE);
  }

  /**
   * As above, each level run by {@code generators} (null: on this machine): every generator gets its
   * {@link GeneratorShare} and the level's agreed start, and the level's figures come from the union of their raw
   * records ({@link LevelMerge}). A capacity search, {@code per_prompt} and a closed loop with fewer users than
   * generators are refused before anything is written or started. {@code observer} watches each level and request run
   * on this machine as it runs (live metrics).
   */
  public static Result run(LoadPlan plan, Path base, Path resultsRoot, Path outDir, Consumer<String> progress,
      Function<CapacityResult, CapacityCost> cost, LoadGenerators generators, LoadObserver observer) {
    if (generators != null) GeneratorShare.check(plan, plan.parsedProfile("load plan", base), generators.count(), "--generators");
    Prompts prompts = plan.promptsFile() == null ? Prompts.of(plan.prompt()) : Prompts.read(base.resolve(plan.promptsFile()));
    Profile profile = plan.parsedProfile("load plan", base);
    Slo slo = plan.parsedSlo("load plan");
    boolean tokens = plan.parsedApi().tokens();
    Path dir = outDir != null ? outDir : fresh(resultsRoot);
    try {
      Files.createDirectories(dir);
      if (Files.exists(dir.resolve("requests.csv"))) throw new UserError("The output directory " + dir + " already holds a load run; give another --out.");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the run directory " + dir + ": " + e.getMessage(), e);
    }
    LoadRunner runner = new LoadRunner(plan, prompts, LoadClock.SYSTEM, progress).observedBy(observer);
    List<LevelRun> runs = new ArrayList<>();
    List<CapacityResult> capacity = new ArrayList<>();
    List<List<String>> problems = new ArrayList<>();
    boolean generatorFailed = false;
    if (generators != null) {
      generatorFailed = runRemote(plan, base, profile, generators, progress, runs, problems);
    } else if (profile instanceof Profile.Search search) {
      for (int t = 0; t < plan.targets().size(); t++) capacity.add(search(runner, plan, t, search.startRate(), slo, tokens, runs, progress));
    } else {
      runs.addAll(runner.run(profile.levels(plan.durationNs(), plan.seed())));
    }
    List<LevelStats> stats = new ArrayList<>();
    List<LevelJudgement> judgements = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      LevelRun r = runs.get(i);
      stats.add(LevelStats.of(r));
      LevelJudgement j = LevelJudgement.of(r, tokens, slo, plan.validityRules());
      judgements.add(i < problems.size() ? j.invalidBecause(problems.get(i)) : j);
    }
    List<CapacityCost> costs = new ArrayList<>();
    for (CapacityResult c : capacity) costs.add(cost.apply(c));
    LoadOutput.LoadRun run = new LoadOutput.LoadRun(dir.getFileName().toString(), plan, runs, stats, judgements, capacity, costs);
    LoadOutput.write(dir, run);
    return new Result(dir, run, generatorFailed);
  }

  /**
   * Every level of every target on the remote generators, one level at a time: each starts {@code generators.lead()}
   * after its launch, at a wall-clock instant every generator is told; a generator's failure makes its level INVALID and
   * the next level goes on.
   */
  private static boolean runRemote(LoadPlan plan, Path base, Profile profile, LoadGenerators generators, Consumer<String> progress,
      List<LevelRun> runs, List<List<String>> problems) {
    generators.publish(GeneratorPod.files(plan, base));
    boolean failed = false;
    List<Level> levels = profile.levels(plan.durationNs(), plan.seed());
    for (int t = 0; t < plan.targets().size(); t++) {
      for (int l = 0; l < levels.size(); l++) {
        Level level = levels.get(l);
        Instant start = Instant.now().plus(generators.lead()).truncatedTo(ChronoUnit.MILLIS);
        progress.accept("level " + level.label() + " against " + plan.targets().get(t) + ": " + generators.count()
            + " generators, starting at " + start);
        LevelMerge merge = new LevelMerge(t, plan.targets().get(t), l, level, generators.count(), progress);
        List<String> failures = generators.runLevel(t, l, level, start, merge::line);
        for (int g = 0; g < failures.size(); g++) if (failures.get(g) != null) merge.failed(g, failures.get(g));
        LevelMerge.Merged merged = merge.merged();
        merged.problems().forEach(p -> progress.accept("level " + level.label() + " INVALID: " + p));
        runs.add(merged.run());
        problems.add(merged.problems());
        failed |= failures.stream().anyMatch(java.util.Objects::nonNull);
      }
    }
    return failed;
  }

  /**
   * The capacity search against target {@code t}: constant-rate levels, each measured for the plan's duration or
   * the longer time validity needs at that rate.
   */
  private static CapacityResult search(LoadRunner runner, LoadPlan plan, int t, double startRate, Slo slo, boolean tokens,
      List<LevelRun> runs, Consumer<String> progress) {
    int[] index = {0};
    var rules = plan.validityRules();
    CapacitySearch search = new CapacitySearch(slo, rules, CapacitySearch.Settings.startingAt(startRate)
        .withLimits(plan.maxLevels(), Double.POSITIVE_INFINITY), System::nanoTime);
    CapacityResult result = search.search(rate -> {
      String label = "s" + (index[0] + 1) + "-" + new BigDecimal(rate).round(new MathContext(4)).stripTrailingZeros().toPlainString() + "rps";
      // one gap more than the minimum: the window validity judges runs from the first scheduled request, and the last
      // one of a level scheduled for exactly the minimum is a gap short of it (2 req/s for 5 s: a 4.5 s window)
      long durationNs = Math.max(plan.durationNs(), Math.round((rules.minimumSecondsAt(rate) + 1 / rate) * 1e9));
      LevelRun run = runner.runLevel(t, index[0]++, new Level.Open(label, new Arrivals.Constant(rate)), durationNs);
      runs.add(run);
      return LevelJudgement.figures(run, tokens, slo);
    });
    progress.accept("capacity of " + plan.targets().get(t) + ": " + result.binding().describe());
    return result;
  }

  private static Path fresh(Path root) {
    String base = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-load";
    Path dir = root.resolve(base);
    for (int i = 2; Files.exists(dir); i++) dir = root.resolve(base + "-" + i);
    return dir;
  }
}
