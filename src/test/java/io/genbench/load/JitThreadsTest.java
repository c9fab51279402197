package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.genbench.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JitThreadsTest {
  @Test
  void theCompilerThreadsAreFoundByTheirNamesInProc(@TempDir Path tasks) throws Exception {
    for (String[] t : new String[][] {{"101", "C2 CompilerThre"}, {"102", "C1 CompilerThre"}, {"103", "genbench-load-1"},
        {"104", "main"}}) {
      Files.createDirectories(tasks.resolve(t[0]));
      Files.writeString(tasks.resolve(t[0]).resolve("comm"), t[1] + "\n");
    }
    Files.createDirectories(tasks.resolve("not-a-task")); // no comm: skipped

    assertThat(JitThreads.compilerThreads(tasks)).containsExactlyInAnyOrder(101, 102);
    assertThat(JitThreads.compilerThreads(tasks.resolve("absent"))).isEmpty();
  }

  /**
   * Run in a child JVM (the lowering is never undone, and the suite's JVM runs with it off: see the pom): lowers its
   * compiler threads, then prints "lowered found" and, per compiler thread, "tid nice policy" from /proc.
   */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      Path self = Path.of("/proc/self/task");
      var ids = JitThreads.compilerThreads(self);
      System.out.println(JitThreads.yieldToLoad() + " " + ids.size());
      for (int tid : ids) {
        // /proc/PID/task/TID/stat: field 19 is the nice value (fields after the parenthesised name, which may hold spaces)
        String stat = Files.readString(self.resolve(Integer.toString(tid)).resolve("stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        System.out.println(tid + " " + after[16] + " " + after[38]);
      }
    }
  }

  private static List<String> probe(String niceJit) throws Exception {
    return ChildJvm.run(Probe.class, "-Dgenbench.load.niceJit=" + niceJit, "--enable-native-access=ALL-UNNAMED").lines()
        .filter(l -> l.matches("[0-9]+ [0-9-]+( [0-9]+)?")).toList();
  }

  @Test
  void onLinuxAJvmsCompilerThreadsGetNice19AndTheIdlePolicy() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")) && Runtime.version().feature() >= 22, "Linux and the Foreign Function API");
    List<String> lines = probe("true");
    String[] counts = lines.getFirst().split(" ");
    assertThat(Integer.parseInt(counts[1])).as("the child JVM's compiler threads").isPositive();
    assertThat(counts[0]).as("lowered").isEqualTo(counts[1]);
    assertThat(lines).hasSize(1 + Integer.parseInt(counts[1]));
    for (String t : lines.subList(1, lines.size())) {
      String[] f = t.split(" ");
      assertThat(f[1]).as("nice of compiler thread " + f[0]).isEqualTo("19");
      assertThat(f[2]).as("scheduling policy of compiler thread " + f[0] + " (5: SCHED_IDLE)").isEqualTo("5");
    }
  }

  @Test
  void offItLowersNothing() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")) && Runtime.version().feature() >= 22, "Linux and the Foreign Function API");
    List<String> lines = probe("false");
    assertThat(lines.getFirst()).startsWith("0 ");
    for (String t : lines.subList(1, lines.size())) {
      assertThat(t.split(" ")[2]).as("scheduling policy of compiler thread " + t + " (5: SCHED_IDLE)").isNotEqualTo("5");
    }
  }
}
