package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.store.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run directories under {@code results/}, newest first: what {@code report}, {@code compare} and {@code best} take
 * when no directory is given. A run is a directory holding {@code plan.yaml} and {@code cases/} (a suite run,
 * {@code suite.jsonl}); its age is when its plan was written, which is when the run was created, whatever its name.
 */
final class NewestRuns {
  /** Where runs are looked for: {@code results/} of the working directory (tests point it elsewhere). */
  static Path results = Path.of("results");

  private NewestRuns() {}

  /** The {@code n} newest runs under {@code parent}, newest first; fewer when there are fewer. */
  static List<Path> under(Path parent, int n) {
    if (!Files.isDirectory(parent)) return List.of();
    try (Stream<Path> dirs = Files.list(parent)) {
      return dirs.filter(NewestRuns::isRun).sorted(Comparator.comparing(NewestRuns::created).reversed()).limit(n).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The given directory, or the newest run under {@code results/}, saying on stderr which it took.
   *
   * @param skip how many of the newest to pass over (1: the one before the newest)
   */
  static Path orNewest(Path given, String what, int skip) {
    if (given != null) return given;
    List<Path> runs = under(results, skip + 1);
    if (runs.size() <= skip) {
      throw new UserError("No " + what + " given, and " + (runs.isEmpty() ? "no" : "only " + runs.size()) + " run director"
          + (runs.size() == 1 ? "y" : "ies") + " under " + results.toAbsolutePath() + " to take it from: name one, e.g. results/<run-id>.");
    }
    Path run = runs.get(skip);
    System.err.println("genbench: no " + what + " given: using " + (skip == 0 ? "the newest run" : "the run before it") + ", " + run);
    return run;
  }

  private static boolean isRun(Path d) {
    return RunDirectory.isRunDirectory(d) || Files.isRegularFile(d.resolve(io.genbench.suite.SuiteRun.EVENTS));
  }

  private static FileTime created(Path d) {
    Path marker = Files.isRegularFile(d.resolve(RunDirectory.PLAN)) ? d.resolve(RunDirectory.PLAN) : d.resolve(io.genbench.suite.SuiteRun.EVENTS);
    try {
      return Files.getLastModifiedTime(marker);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
