package io.genbench.cli;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.analyze.MedianRatio;
import io.genbench.load.LoadComparison;
import io.genbench.rank.RunComparison;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import io.genbench.views.RunViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench compare}: is the candidate run faster, slower or the same as the baseline, case by case? */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compares two run directories case by case (matched by case id): the ratio of median e2e, candidate /"
        + " baseline, with a seeded bootstrap confidence interval from each run's raw samples (read from the events;"
        + " with trials, trials are resampled, then samples within them), a verdict (faster / slower when the interval"
        + " excludes 1, else no significant difference), and point ratios of cost and peak memory.",
        "Cases in one run only, or not SUCCESS in both, are listed, not compared. Writes nothing.",
        "Two load run directories (genbench load) are compared level by level (matched by level label, and by target"
            + " when a run loaded several): response time P50/P95/P99, and TTFT/TPOT for token APIs, with the same"
            + " bootstrap interval from the raw requests.csv records; achieved rate and error rate as point values."},
    footer = {"", "Examples:", "  genbench compare results/20261121-101500-plan results/20261122-093000-plan",
        "  genbench compare results/base results/cand --format json > compare.json",
        "  genbench compare results/base results/cand --fail-on-regression 5%% --level 0.99 --seed 7",
        "  genbench compare results/20261121-101500-load results/20261122-093000-load",
        "", "Exit codes: 0 compared; 2 bad input (a missing or foreign directory, no case in common, a bad percentage or"
        + " level); 4 with --fail-on-regression, some case is significantly slower by more than the threshold (the"
        + " interval's lower end above 1 + P/100) or succeeded in the baseline but not in the candidate."})
final class CompareCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "BASELINE", description = "the run directory to compare against"
      + " (default: the run before the newest under results/)")
  Path baseline;

  @Parameters(index = "1", arity = "0..1", paramLabel = "CANDIDATE", description = "the run directory compared with it"
      + " (default: the newest under results/)")
  Path candidate;

  @Option(names = "--format", defaultValue = "md", paramLabel = "FORMAT", description = "md | json (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--fail-on-regression", paramLabel = "P%",
      description = "exit 4 when a case is significantly slower by more than P %%, e.g. 5%%")
  String failOnRegression;

  @Option(names = "--level", defaultValue = "0.95", paramLabel = "L", description = "confidence level of the intervals, between 0 and 1 (default: ${DEFAULT-VALUE})")
  String level;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "seeds the bootstrap (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    // none given: the newest run against the one before it; one given: the newest run against it
    if (candidate == null) {
      candidate = NewestRuns.orNewest(null, "CANDIDATE", 0);
      baseline = NewestRuns.orNewest(baseline, "BASELINE", 1);
    }
    boolean json = OutputFormat.json(format);
    Double threshold = failOnRegression == null ? null : percentage(failOnRegression);
    double l = level(level);
    if (loadRun(baseline, "baseline", candidate) || loadRun(candidate, "candidate", baseline)) {
      return compareLoadRuns(json, threshold, l);
    }
    RunComparison.Side base = side("baseline", baseline);
    RunComparison.Side cand = side("candidate", candidate);
    RunComparison comparison = RunComparison.of(base, cand, l, seed, MedianRatio.RESAMPLES, io.genbench.cost.Lifecycle.ONDEMAND, threshold);
    if (comparison.cases().isEmpty() && comparison.notCompared().isEmpty()) {
      throw new UserError("no case of " + baseline + " matches a case of " + candidate + " by id (baseline: "
          + ids(base.results()) + "; candidate: " + ids(cand.results()) + ")");
    }
    return print(json, comparison, comparison.markdown(), comparison.regressions().isEmpty());
  }

  /**
   * Whether {@code dir} is a load run (genbench load's load.yaml and requests.csv); when it is and {@code other} is not,
   * the mismatch is a usage error naming both directories and what each is.
   */
  private static boolean loadRun(Path dir, String which, Path other) {
    requireDirectory(dir, "the " + which + " run directory");
    if (!LoadComparison.isLoadRun(dir)) return false;
    requireDirectory(other, "the " + (which.equals("baseline") ? "candidate" : "baseline") + " run directory");
    if (LoadComparison.isLoadRun(other)) return true;
    throw new UserError("cannot compare a load run with a case run: " + dir + " is a load run directory (genbench load:"
        + " load.yaml, requests.csv) and " + other + " is " + (Files.isRegularFile(other.resolve(RunDirectory.PLAN))
            ? "a case run directory (genbench run: plan.yaml, cases/)" : "neither a load run nor a case run directory")
        + ". Compare two load runs (level by level) or two case runs (case by case).");
  }

  /** Two load runs, level by level: the same bootstrap, over each level's raw per-request records. */
  private Integer compareLoadRuns(boolean json, Double threshold, double l) {
    LoadComparison comparison = LoadComparison.of(baseline, candidate, l, seed, MedianRatio.RESAMPLES, threshold);
    return print(json, comparison, comparison.markdown(), comparison.regressions().isEmpty());
  }

  /** Prints {@code comparison} as JSON or its Markdown; the exit code says whether anything regressed. */
  private static Integer print(boolean json, Object comparison, String markdown, boolean noRegression) {
    try {
      System.out.print(json ? Json.PRETTY.writeValueAsString(comparison) + "\n" : markdown);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.flush();
    return (noRegression ? ExitCode.OK : ExitCode.REGRESSION).code();
  }

  private static RunComparison.Side side(String which, Path dir) {
    requireDirectory(dir, "the " + which + " run directory");
    RunDirectory run;
    try {
      run = RunDirectory.open(dir);
    } catch (UserError e) {
      throw new UserError("the " + which + " is not a run directory: " + e.getMessage());
    }
    RunViews views = new RunViews(run);
    return new RunComparison.Side(dir.toString(), views.results(), views::e2eByTrial);
  }

  private static String ids(List<CaseResult> results) {
    if (results.isEmpty()) return "no finished case";
    List<String> ids = results.stream().map(CaseResult::caseId).toList();
    return ids.size() <= 5 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
  }

  /** {@code 5%}, {@code 5 %} or {@code 5}: a percentage, ≥ 0. */
  static double percentage(String text) {
    String t = text.strip();
    if (t.endsWith("%")) t = t.substring(0, t.length() - 1).strip();
    try {
      double v = Double.parseDouble(t);
      if (v >= 0 && v < 1000 && !Double.isNaN(v)) return v;
    } catch (NumberFormatException e) {
      // named below
    }
    throw new UserError("--fail-on-regression must be a percentage from 0 to 1000, e.g. 5%, was '" + text + "'");
  }

  /** A confidence level strictly between 0 and 1, e.g. 0.95. */
  static double level(String text) {
    try {
      double v = Double.parseDouble(text.strip());
      if (v > 0 && v < 1) return v;
    } catch (NumberFormatException e) {
      // named below
    }
    throw new UserError("--level must be a confidence level between 0 and 1, e.g. 0.95, was '" + text + "'");
  }

  /**
   * A run directory argument: one that does not exist and one that is a file are different mistakes, and the message
   * says which ({@code what}, e.g. {@code the baseline run directory}).
   */
  static void requireDirectory(java.nio.file.Path dir, String what) {
    if (Files.isDirectory(dir)) return;
    if (Files.exists(dir)) {
      throw new UserError(what + " " + dir + " is a file, not a directory: give the directory genbench run wrote (results/<run-id>).");
    }
    throw new UserError(what + " " + dir + " does not exist");
  }
}
