package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write to standard output that fails (/dev/full, a closed pipe) is an I/O error, exit 1, never a silent 0. */
final class LostStdoutTest {
  @TempDir
  Path tmp;

  /** Runs the CLI as main does, with a stdout whose every write fails as /dev/full's does. */
  private static Cli withFullStdout(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    var err = new ByteArrayOutputStream();
    OutputStream full = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    synchronized (Cli.class) {
      try {
        System.setOut(new PrintStream(full, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        var cl = GenBench.commandLine();
        cl.setOut(new PrintWriter(System.out, true));
        cl.setErr(new PrintWriter(System.err, true));
        int code = GenBench.execute(cl, args);
        return new Cli(code, "", err.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }

  @Test
  void planToAFullStdoutExitsOneAndSaysSo() {
    Cli r = withFullStdout("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("genbench: cannot write to standard output");
  }

  @Test
  void modelsAndHelpToAFullStdoutExitOne() {
    assertThat(withFullStdout("models").exitCode()).isEqualTo(1);
    assertThat(withFullStdout("--help").exitCode()).as("picocli's own writer").isEqualTo(1);
  }

  @Test
  void historyListToAFullStdoutExitsOne() {
    Cli r = withFullStdout("history", "list", "--history-url", "jdbc:sqlite:" + tmp.resolve("h.db"));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
  }

  @Test
  void aWritableStdoutStillExitsZero() {
    PrintStream oldOut = System.out;
    try {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      var cl = GenBench.commandLine();
      cl.setOut(new PrintWriter(System.out, true));
      assertThat(GenBench.execute(cl, "models")).isZero();
    } finally {
      System.setOut(oldOut);
    }
  }
}
