package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal while the embedded default builds or runs its ONNX Runtime sessions ends the run as any other moment does:
 * exit 128 + the signal, the resume hint, no native crash and no {@code hs_err_pid*.log} in the working directory.
 * The quickstart plan builds its first sessions right after "genbench: running" (priming) and again at each case.
 */
final class RunSignalTest {
  private static final Path QUICKSTART = Path.of("examples", "quickstart.yaml").toAbsolutePath();

  @TempDir
  Path tmp;

  /** Starts the quickstart run in {@code dir}; returns the process and its merged output's reader. */
  private Process start(Path dir) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(javaBin, "-Duser.home=" + dir, "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench",
        "run", QUICKSTART.toString(), "--backend", "onnx", "--threads", "1", "--no-history", "--out", dir.resolve("run").toString())
        .directory(dir.toFile()).redirectErrorStream(true).start();
  }

  private record Ended(int exit, String output) {}

  /** Sends {@code signal} {@code delayMs} after the first line starting with {@code after}; the process's exit and output. */
  private Ended signalled(Path dir, String after, long delayMs, String signal) throws Exception {
    Process p = start(dir);
    var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder all = new StringBuilder();
    String line;
    while ((line = lines.readLine()) != null) {
      all.append(line).append('\n');
      if (line.startsWith(after)) break;
    }
    assertThat(line).as("the run reached \"%s\": %s", after, all).isNotNull();
    Thread.sleep(delayMs);
    assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor()).isZero();
    while ((line = lines.readLine()) != null) all.append(line).append('\n');
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended: %s", all).isTrue();
    return new Ended(p.exitValue(), all.toString());
  }

  private static List<String> crashLogs(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("hs_err") || n.startsWith("core")).toList();
    }
  }

  @Test
  void aSigtermWhileSessionsAreBuiltOrRunEndsTheRunCleanlyWithTheResumeHint() throws Exception {
    for (long delay : new long[] {150, 350, 600, 1000}) {
      Path dir = Files.createDirectory(tmp.resolve("term-" + delay));

      Ended e = signalled(dir, "genbench: running", delay, "TERM");

      assertThat(e.exit()).as("exit after SIGTERM %d ms into the run: %s", delay, e.output()).isEqualTo(143);
      assertThat(e.output()).as("after %d ms", delay).contains("Resume with: genbench run --resume " + dir.resolve("run"))
          .doesNotContain("A fatal error has been detected");
      assertThat(crashLogs(dir)).as("after %d ms", delay).isEmpty();
    }
  }

  @Test
  void aSigtermAsTheSecondCaseBuildsItsSessionsKeepsTheFirstCase() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("second"));

    Ended e = signalled(dir, "[1/4]", 100, "TERM");

    assertThat(e.exit()).as(e.output()).isEqualTo(143);
    assertThat(crashLogs(dir)).isEmpty();
    try (Stream<Path> s = Files.list(dir.resolve("run").resolve("cases"))) {
      assertThat(s.filter(c -> Files.exists(c.resolve("result.json"))).count()).isEqualTo(1);
    }
    assertThat(e.output()).contains("Resume with: genbench run --resume");
  }

  @Test
  void aSigintWhileSessionsAreBuiltExits130() throws Exception {
    // a process started with SIGINT ignored (a background job of a script) passes that on, and the JVM keeps it so
    Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this test JVM, and so in its children");
    Path dir = Files.createDirectory(tmp.resolve("int"));

    Ended e = signalled(dir, "genbench: running", 400, "INT");

    assertThat(e.exit()).as(e.output()).isEqualTo(130);
    assertThat(e.output()).contains("Resume with: genbench run --resume");
    assertThat(crashLogs(dir)).isEmpty();
  }

  private static boolean sigintIgnored() throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("SigIgn:")) return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 0b10) != 0;
    }
    return false;
  }
}
