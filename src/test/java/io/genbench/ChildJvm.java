package io.genbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test's child JVM: the running java with this classpath, for what must not touch the suite's own JVM. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Runs {@code main} with {@code jvmFlags}; its stdout and stderr, stripped, once it exited 0 within 60 s. */
  public static String run(Class<?> main, String... jvmFlags) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
    cmd.addAll(List.of(jvmFlags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
