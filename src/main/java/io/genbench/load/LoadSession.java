package io.genbench.load;

import io.genbench.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code genbench load} stage between parsing and printing: runs a resolved plan, computes each level's
 * figures from its raw records, writes the run directory and returns the run. Testable without the CLI.
 */
public final class LoadSession {
  private LoadSession() {}

  /** The run and where it was written. */
  public record Result(Path dir, LoadOutput.LoadRun run) {
    /** The console summary. */
    public String summary() {
      return LoadReport.console(run);
    }

    /** True when some level had no successful measured request. */
    public boolean anyLevelFailed() {
      return run.stats().stream().anyMatch(s -> s.ok() == 0);
    }
  }

  /**
   * Runs {@code plan}; prompts and trace files resolve against {@code base}; the run directory is created under
   * {@code resultsRoot} as {@code <yyyyMMdd-HHmmss>-load} (a suffix when taken), or is {@code outDir} when given.
   */
  public static Result run(LoadPlan plan, Path base, Path resultsRoot, Path outDir, Consumer<String> progress) {
    Prompts prompts = plan.promptsFile() == null ? Prompts.of(plan.prompt()) : Prompts.read(base.resolve(plan.promptsFile()));
    List<Level> levels = plan.levels(base);
    Path dir = outDir != null ? outDir : fresh(resultsRoot);
    try {
      Files.createDirectories(dir);
      if (Files.exists(dir.resolve("requests.csv"))) throw new UserError("The output directory " + dir + " already holds a load run; give another --out.");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the run directory " + dir + ": " + e.getMessage(), e);
    }
    List<LevelRun> runs = new LoadRunner(plan, prompts, LoadClock.SYSTEM, progress).run(levels);
    List<LevelStats> stats = new ArrayList<>();
    for (LevelRun r : runs) stats.add(LevelStats.of(r));
    LoadOutput.LoadRun run = new LoadOutput.LoadRun(dir.getFileName().toString(), plan, runs, stats, List.of());
    LoadOutput.write(dir, run);
    return new Result(dir, run);
  }

  private static Path fresh(Path root) {
    String base = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-load";
    Path dir = root.resolve(base);
    for (int i = 2; Files.exists(dir); i++) dir = root.resolve(base + "-" + i);
    return dir;
  }
}
