package io.genbench.load;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Gives the JIT's compiler threads the lowest CPU priority (Linux: nice 19 with {@code setpriority}, and the
 * {@code SCHED_IDLE} policy with {@code sched_setscheduler}, per thread) while levels run, so a compilation that still
 * happens in a level (C2 finishing a method the warm-up made hot, a recompilation after a new branch) runs in the time the
 * event loops leave: a waking event loop preempts an idle-policy thread at once, where against a nice-0 (or only nice-19)
 * one it waited for the next tick. Pinned to one core (bench/load-dispatch), each C2 compilation in a level showed as a
 * 1.3-3.3 ms dispatch-lag spike. Lowering a priority needs no privilege; it is never raised back (compilations after the
 * warm-up are few, and wait only while the loops are busy). Linux only; elsewhere, on a runtime without the
 * Foreign Function API (Java 21), or with {@code -Dgenbench.load.niceJit=false}, it does nothing.
 */
final class JitThreads {
  /** The compiler threads' names as /proc shows them (15 characters: "C2 CompilerThread0" is cut). */
  private static final List<String> NAMES = List.of("C2 CompilerThre", "C1 CompilerThre");
  private static final int PRIO_PROCESS = 0; // with a thread id: that thread only (Linux)
  private static final int NICE = 19;
  private static final int SCHED_IDLE = 5;
  private static final MethodHandle SETPRIORITY = function("setpriority", "JAVA_INT", "JAVA_INT", "JAVA_INT");
  private static final MethodHandle SCHED_SETSCHEDULER = function("sched_setscheduler", "JAVA_INT", "JAVA_INT", "ADDRESS");
  private static final Object ZERO_PARAM = zeroParam(); // struct sched_param { int sched_priority = 0; }

  private JitThreads() {}

  /** Lowers every compiler thread's priority; returns how many it lowered (0 where it cannot). */
  static int yieldToLoad() {
    if (SETPRIORITY == null || !Boolean.parseBoolean(System.getProperty("genbench.load.niceJit", "true"))) return 0;
    int n = 0;
    for (int tid : compilerThreads(Path.of("/proc/self/task"))) {
      try {
        boolean lowered = (int) SETPRIORITY.invoke(PRIO_PROCESS, tid, NICE) == 0;
        if (SCHED_SETSCHEDULER != null && ZERO_PARAM != null) SCHED_SETSCHEDULER.invoke(tid, SCHED_IDLE, ZERO_PARAM);
        if (lowered) n++;
      } catch (Throwable e) {
        return n;
      }
    }
    return n;
  }

  /** The ids of the tasks under {@code tasks} (a /proc/PID/task folder) whose comm names a JIT compiler thread. */
  static List<Integer> compilerThreads(Path tasks) {
    List<Integer> ids = new ArrayList<>();
    try (Stream<Path> s = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) s::iterator) {
        try {
          String comm = Files.readString(t.resolve("comm"), StandardCharsets.UTF_8).strip();
          if (NAMES.stream().anyMatch(comm::startsWith)) ids.add(Integer.parseInt(t.getFileName().toString()));
        } catch (IOException | NumberFormatException e) {
          // a thread that ended meanwhile, or not a task folder
        }
      }
    } catch (IOException e) {
      return List.of(); // no /proc: not Linux
    }
    return ids;
  }

  /** A libc function returning int (Linux only), or null. */
  private static MethodHandle function(String name, String... argLayouts) {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) return null;
    return io.genbench.LibC.function(name, argLayouts);
  }

  /** Four zero bytes that live as long as the process (a sched_param of priority 0), or null. */
  private static Object zeroParam() {
    try {
      Class<?> arenaType = Class.forName("java.lang.foreign.Arena");
      Object arena = arenaType.getMethod("global").invoke(null);
      return arenaType.getMethod("allocate", long.class).invoke(arena, 4L); // zeroed
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
