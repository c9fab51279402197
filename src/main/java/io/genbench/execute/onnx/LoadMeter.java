package io.genbench.execute.onnx;

import io.genbench.wire.WorkerEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's load over a window, from Linux's counters: {@code /proc/stat} (every CPU's busy, idle and steal time),
 * {@code /proc/self/stat} (this process's own CPU time, every thread) and {@code /proc/loadavg}. What the other
 * processes used is the machine's busy time minus this process's, so a run can say "something else used the machine"
 * with a figure. The worker measures the same way (worker/src/genbench_worker/measure/load.py). Where {@code /proc} cannot be
 * read (not Linux) the figures are null.
 */
final class LoadMeter {
  private final Path proc;
  private final Snapshot start;
  private final long startNs;

  private LoadMeter(Path proc, long startNs) {
    this.proc = proc;
    this.start = Snapshot.read(proc);
    this.startNs = startNs;
  }

  /** Starts a window on this host, at {@code nowNs} on the caller's clock. */
  static LoadMeter start(long nowNs) {
    return start(Path.of("/proc"), nowNs);
  }

  /** Starts a window reading {@code proc} (a copy of /proc's files, in tests). */
  static LoadMeter start(Path proc, long nowNs) {
    return new LoadMeter(proc, nowNs);
  }

  /** The window's {@code load} event, ending at {@code nowNs}. */
  WorkerEvent.Load stop(String caseId, long nowNs) {
    Snapshot end = Snapshot.read(proc);
    Double loadAvg = loadAverage(proc);
    Double other = null;
    Double steal = null;
    Double self = null;
    if (start != null && end != null && end.totalTicks > start.totalTicks) {
      double total = end.totalTicks - start.totalTicks;
      double dSteal = end.stealTicks - start.stealTicks;
      double dSelf = Math.max(0, end.selfTicks - start.selfTicks);
      double busy = total - (end.idleTicks - start.idleTicks) - dSteal;
      other = round(100 * Math.max(0, busy - dSelf) / total);
      steal = round(100 * dSteal / total);
      self = round(100 * Math.min(dSelf, total) / total);
    }
    return new WorkerEvent.Load(caseId, Math.max(0, nowNs - startNs), loadAvg, end == null ? null : end.cpus, other, steal, self);
  }

  private static double round(double pct) {
    return Math.round(pct * 10) / 10.0;
  }

  private static Double loadAverage(Path proc) {
    try {
      String[] f = Files.readString(proc.resolve("loadavg")).trim().split("\\s+");
      return Double.parseDouble(f[0]);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The counters at one moment, in clock ticks (USER_HZ); null when they cannot be read. */
  private record Snapshot(long totalTicks, long idleTicks, long stealTicks, long selfTicks, int cpus) {
    static Snapshot read(Path proc) {
      try {
        List<String> stat = Files.readAllLines(proc.resolve("stat"));
        String[] cpu = stat.getFirst().trim().split("\\s+");
        if (!cpu[0].equals("cpu") || cpu.length < 9) return null;
        long total = 0;
        for (int i = 1; i <= 8; i++) total += Long.parseLong(cpu[i]); // user … steal; guest time is inside user already
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        long steal = Long.parseLong(cpu[8]);
        int cpus = (int) stat.stream().filter(l -> l.matches("cpu\\d+\\s.*")).count();
        String self = Files.readString(proc.resolve("self/stat"));
        String[] f = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
        long selfTicks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        return new Snapshot(total, idle, steal, selfTicks, cpus);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }
}
