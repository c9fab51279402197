package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void onLinuxThisJvmsCompilerThreadsGetNice19AndTheIdlePolicy() throws Exception {
    Path self = Path.of("/proc/self/task");
    assumeTrue(Files.isDirectory(self) && Runtime.version().feature() >= 22, "Linux and the Foreign Function API");
    var ids = JitThreads.compilerThreads(self);
    assertThat(ids).as("this JVM's compiler threads").isNotEmpty();

    assertThat(JitThreads.yieldToLoad()).isEqualTo(ids.size());
    for (int tid : ids) {
      // /proc/PID/task/TID/stat: field 19 is the nice value (fields after the parenthesised name, which may hold spaces)
      String stat = Files.readString(self.resolve(Integer.toString(tid)).resolve("stat"));
      String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      assertThat(after[16]).as("nice of compiler thread " + tid).isEqualTo("19");
      assertThat(after[38]).as("scheduling policy of compiler thread " + tid + " (5: SCHED_IDLE)").isEqualTo("5");
    }
  }
}
