package io.genbench.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What else used the machine while a case measured, from the kernel's counters over the measured iterations: so
 * "something else used the machine" is a measured statement. Shares are of the whole machine's CPU time (all cores);
 * null where the platform does not say (no {@code /proc}).
 *
 * @param loadAvg1m the 1-minute load average when measuring ended
 * @param cpus the machine's online CPUs
 * @param otherCpuPct CPU time used by every other process (all busy time minus this process's and minus steal), % of
 *     the machine, 0–100
 * @param stealPct time the hypervisor gave this VM's CPUs to another guest, % of the machine, 0–100
 * @param selfCpuPct CPU time of the measuring process itself, % of the machine, 0–100
 */
public record MachineLoad(Double loadAvg1m, Integer cpus, Double otherCpuPct, Double stealPct, Double selfCpuPct) {
  /** Other processes using more than this share of the machine's CPU disturbed the measurement enough to name. */
  public static final double BUSY_OTHER_PCT = 10;
  /** Steal above this share is named too. */
  public static final double BUSY_STEAL_PCT = 2;

  /** Whether the figures say something else competed for the CPU. */
  public boolean busy() {
    return (otherCpuPct != null && otherCpuPct > BUSY_OTHER_PCT) || (stealPct != null && stealPct > BUSY_STEAL_PCT)
        || (loadAvg1m != null && cpus != null && loadAvg1m > cpus);
  }

  /** For people, e.g. {@code other processes 48 % of the CPU, steal 0 %, load average 2.9 on 2 CPUs}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (otherCpuPct != null) parts.add(fmt("other processes %.0f %% of the CPU", otherCpuPct));
    if (stealPct != null) parts.add(fmt("steal %.0f %%", stealPct));
    if (loadAvg1m != null) parts.add(fmt("load average %.1f", loadAvg1m) + (cpus == null ? "" : " on " + cpus + " CPUs"));
    return parts.isEmpty() ? "not recorded" : String.join(", ", parts);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
