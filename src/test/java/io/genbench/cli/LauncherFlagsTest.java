package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./genbench} launcher's JVM flags per command, seen through a stand-in {@code java} (GENBENCH_JAVA) that
 * writes the arguments it was given and claims a JDK version: serve gets ZGC (generational: opt-in on 21 and 22), other
 * commands keep theirs, and a collector named in GENBENCH_JAVA_OPTS wins (two would stop the JVM).
 */
final class LauncherFlagsTest {
  private static final Path LAUNCHER = Path.of("genbench").toAbsolutePath();

  @TempDir Path dir;

  private List<String> flags(String javaVersion, String javaOpts, String... args) throws IOException, InterruptedException {
    Path argsFile = dir.resolve("args.txt");
    Files.deleteIfExists(argsFile);
    Path fake = dir.resolve("java");
    Files.writeString(fake, """
        #!/usr/bin/env bash
        if [ "$1" = -XshowSettings:properties ]; then echo "    java.specification.version = %s" >&2; exit 0; fi
        printf '%%s\\n' "$@" > "%s"
        """.formatted(javaVersion, argsFile));
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("GENBENCH_JAVA", fake.toString());
    pb.environment().put("GENBENCH_NO_BUILD", "1");
    pb.environment().put("GENBENCH_JAVA_OPTS", javaOpts);
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
    return Files.readAllLines(argsFile);
  }

  @Test
  void serveRunsOnZgcGenerationalWhereItIsOptIn() throws Exception {
    assertThat(flags("21", "", "serve", "--model", "sd-2-1")).contains("-XX:+UseZGC", "-XX:+ZGenerational")
        .doesNotContain("-XX:+UseSerialGC").endsWith("serve", "--model", "sd-2-1");
    assertThat(flags("25", "", "serve", "--model", "sd-2-1")).contains("-XX:+UseZGC").doesNotContain("-XX:+ZGenerational");
  }

  @Test
  void serveCompilesItsPathWithC2SoonerAndAFlagOfTheUsersWins() throws Exception {
    List<String> serve = flags("25", "-XX:CompileThresholdScaling=1", "serve", "--model", "sd-2-1");
    // HotSpot takes the last of a flag given twice: the user's, after the launcher's
    assertThat(serve).containsSubsequence("-XX:CompileThresholdScaling=0.05", "-XX:CompileThresholdScaling=1");
    assertThat(flags("25", "", "run", "plan.yaml")).noneMatch(f -> f.startsWith("-XX:CompileThresholdScaling"));
    assertThat(flags("25", "", "load", "http://127.0.0.1:1")).noneMatch(f -> f.startsWith("-XX:CompileThresholdScaling"));
  }

  @Test
  void otherCommandsKeepTheirCollectors() throws Exception {
    assertThat(flags("25", "", "load", "http://127.0.0.1:1")).contains("-XX:+UseSerialGC").doesNotContain("-XX:+UseZGC");
    assertThat(flags("25", "", "models")).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1").doesNotContain("-XX:+UseZGC");
    assertThat(flags("25", "", "run", "plan.yaml")).doesNotContain("-XX:+UseZGC", "-XX:+UseSerialGC");
  }

  @Test
  void aCollectorInGenbenchJavaOptsWinsForServe() throws Exception {
    assertThat(flags("21", "-XX:+UseG1GC -Xmx2g", "serve", "--model", "sd-2-1")).contains("-XX:+UseG1GC", "-Xmx2g")
        .doesNotContain("-XX:+UseZGC", "-XX:+ZGenerational");
  }
}
