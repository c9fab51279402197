package io.genbench.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * GPU utilisation, memory and power for the {@link Metric.Scope#GPU} gauges. A seam: {@link #none()} on a machine
 * without a GPU (the gauges then have no series), {@link #nvidiaSmi()} where {@code nvidia-smi} (NVML's command line)
 * is on the PATH.
 */
public interface GpuTelemetry {

  /**
   * One GPU's reading.
   *
   * @param gpu the device index as nvidia-smi numbers it
   * @param utilization fraction of the sample period the GPU was busy, 0..1
   * @param memoryUsedBytes memory in use
   * @param powerWatts power draw, or NaN where the GPU does not report it
   */
  record Reading(String gpu, double utilization, long memoryUsedBytes, double powerWatts) {}

  /** The current readings (empty: no GPU). */
  List<Reading> read();

  /** No GPU. */
  static GpuTelemetry none() {
    return List::of;
  }

  /** nvidia-smi where it is on the PATH, else {@link #none()}. Readings are cached for a second (one call per scrape). */
  static GpuTelemetry detect() {
    String path = System.getenv("PATH");
    if (path == null) return none();
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvidia-smi"))) return nvidiaSmi();
    }
    return none();
  }

  /** {@code nvidia-smi --query-gpu=...}, read at most once a second. */
  static GpuTelemetry nvidiaSmi() {
    return new GpuTelemetry() {
      private long readAtNs;
      private List<Reading> last = List.of();

      @Override
      public synchronized List<Reading> read() {
        long now = System.nanoTime();
        if (readAtNs != 0 && now - readAtNs < 1_000_000_000L) return last;
        readAtNs = now;
        try {
          Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,utilization.gpu,memory.used,power.draw",
              "--format=csv,noheader,nounits").redirectError(ProcessBuilder.Redirect.DISCARD).start();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return last = List.of();
          return last = parse(out);
        } catch (IOException e) {
          return last = List.of();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return last;
        }
      }
    };
  }

  /** Parses nvidia-smi's {@code index, utilization.gpu [%], memory.used [MiB], power.draw [W]} CSV lines. */
  static List<Reading> parse(String csv) {
    List<Reading> readings = new ArrayList<>();
    for (String line : csv.split("\n")) {
      String[] f = line.split(",");
      if (f.length < 4) continue;
      try {
        readings.add(new Reading(f[0].trim(), Double.parseDouble(f[1].trim()) / 100,
            Math.round(Double.parseDouble(f[2].trim()) * 1024 * 1024), number(f[3].trim())));
      } catch (NumberFormatException e) {
        // "[N/A]" for a field the GPU does not report: that GPU is left out
      }
    }
    return readings;
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
