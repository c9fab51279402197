package io.genbench.env;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short helper command (nvidia-smi, git, python -c ...) with a deadline. Output goes to a temporary file, so
 * waiting never depends on someone draining a pipe; a command past its deadline is killed and counts as failed.
 *
 * @param exit the exit code
 * @param out what it wrote to stdout (and stderr, when merged)
 */
public record HostCommand(int exit, String out) {

  /** The result, or empty when the command is missing, failed to start or ran past the deadline. */
  public static Optional<HostCommand> run(List<String> command, Map<String, String> env, Duration deadline, boolean mergeStderr) {
    File output = null;
    try {
      output = File.createTempFile("genbench-cmd", ".out");
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(output);
      if (mergeStderr) pb.redirectErrorStream(true);
      else pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(p);
        return Optional.empty();
      }
      return Optional.of(new HostCommand(p.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (output != null) output.delete();
    }
  }

  /**
   * Kills a process and everything it started: a child holding a pipe open would otherwise outlive it. Signals through
   * the {@link ProcessHandle}: {@code Process.destroyForcibly()} also closes the process's pipes, under a thread that
   * may be reading them ("Stream closed"), where the handle only sends SIGKILL and the reader sees the end of stream.
   */
  public static void killTree(Process p) {
    // the process first, so it cannot act on a child's death (a shell whose sleep was killed runs on and may finish
    // the case it was killed for); its children are listed before, as a dead parent's children are no longer found
    List<ProcessHandle> children = p.descendants().toList();
    p.toHandle().destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    p.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  /** Runs it and returns stdout when it exits 0. */
  public static Optional<String> output(List<String> command, Duration deadline) {
    return run(command, Map.of(), deadline, false).filter(r -> r.exit() == 0).map(HostCommand::out);
  }
}
