package io.genbench.env;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Facts about this host read from /proc (Linux); null or 0 where they cannot be read. */
public final class HostInfo {
  private HostInfo() {}

  public static String cpuModel() {
    for (String line : lines("/proc/cpuinfo")) {
      if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
    }
    return System.getProperty("os.arch");
  }

  public static long memoryBytes() {
    for (String line : lines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) return kib(line);
    }
    return 0;
  }

  public static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }

  /** Peak resident set size of this process (VmHWM), bytes. */
  public static long peakRssBytes() {
    for (String line : lines("/proc/self/status")) {
      if (line.startsWith("VmHWM:")) return kib(line);
    }
    return 0;
  }

  /** Resident set size of this process now (VmRSS), bytes. */
  public static long rssBytes() {
    for (String line : lines("/proc/self/status")) {
      if (line.startsWith("VmRSS:")) return kib(line);
    }
    return 0;
  }

  /**
   * Resets the peak RSS to the current RSS (Linux: writing 5 to clear_refs); false where that is not possible (not
   * Linux, or not permitted), and the peak then still covers the process's whole life.
   */
  public static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static long kib(String line) {
    String digits = line.replaceAll("[^0-9]", "");
    return digits.isEmpty() ? 0 : Long.parseLong(digits) * 1024;
  }

  private static List<String> lines(String path) {
    try {
      return Files.readAllLines(Path.of(path));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
