package io.genbench.cli;

import io.genbench.Secrets;
import io.genbench.UserError;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps exceptions to what the user sees: a {@link UserError} prints its message alone and exits 2; anything else is
 * a bug: {@code internal error: ...} and exit 1; a {@link io.genbench.store.StorageError} (full disk, permission
 * denied) names the file and the remedy and exits 1, as does a {@link io.genbench.history.HistoryError} (a history store
 * that cannot be opened, read or written), with the stack trace under {@code --verbose} (or GENBENCH_VERBOSE=1). Every
 * message is printed with its credentials masked ({@link Secrets}) and its control characters made visible.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int USAGE = ExitCode.USAGE.code();
  static final int INTERNAL = ExitCode.INTERNAL.code();

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
    if (e instanceof UserError) {
      cmd.getErr().println(shown("genbench: " + e.getMessage()));
      return USAGE;
    }
    if (e instanceof io.genbench.history.HistoryError) {
      cmd.getErr().println(shown("genbench: " + e.getMessage()) + ". Check the history URL, that its server runs and accepts"
          + " the user, or that the SQLite file's directory is writable.");
      if (GenBench.verbose()) e.printStackTrace(cmd.getErr());
      return INTERNAL;
    }
    if (e instanceof io.genbench.store.StorageError s) {
      // the resume hint only where a run directory exists: one that could not be created has nothing to resume
      java.nio.file.Path run = runDirectoryOf(s.file());
      cmd.getErr().println(shown("genbench: " + e.getMessage()) + (e.getMessage().contains("--resume") || run == null ? ""
          : shown(". Every finished case is kept: when it is fixed, finish the run with `genbench run --resume " + run + "`.")));
      if (GenBench.verbose()) e.printStackTrace(cmd.getErr());
      return INTERNAL;
    }
    cmd.getErr().println(shown("genbench: internal error: " + e) + " (rerun with --verbose for the stack trace)");
    if (GenBench.verbose()) e.printStackTrace(cmd.getErr());
    return INTERNAL;
  }

  /** A message as printed: credentials masked, control characters (from ids, paths, worker output) made visible. */
  static String shown(String message) {
    return io.genbench.Printable.text(Secrets.redact(message));
  }

  /** The run directory (plan.yaml and cases/) that holds {@code file}, or null when there is none. */
  static java.nio.file.Path runDirectoryOf(java.nio.file.Path file) {
    for (java.nio.file.Path p = file; p != null; p = p.getParent()) {
      if (io.genbench.store.RunDirectory.isRunDirectory(p)) return p;
    }
    return null;
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println(shown("genbench: " + e.getMessage()));
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr())) {
      cmd.getErr().println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    }
    return USAGE;
  }
}
