package io.genbench.measure;

import io.genbench.wire.WorkerEvent.Sample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * A case's latencies as an HdrHistogram log ({@code latency.hlog}): one tagged histogram each for {@code e2e},
 * {@code per_step} and {@code ttft} (where present), in nanoseconds with 3 significant digits, readable by
 * HdrHistogram's tools and plotters. A derived export: the report's percentiles come from the raw samples.
 */
public final class LatencyLog {
  private LatencyLog() {}

  public static String of(List<Sample> samples) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      HistogramLogWriter writer = new HistogramLogWriter(out);
      writer.outputLogFormatVersion();
      writer.outputComment("genbench latencies of the measured iterations, nanoseconds (tags: e2e, per_step, ttft)");
      writer.outputLegend();
      write(writer, "e2e", samples.stream().mapToLong(Sample::e2eNs).toArray());
      write(writer, "per_step", samples.stream().flatMap(s -> s.stepNs().stream()).mapToLong(Long::longValue).toArray());
      write(writer, "ttft", samples.stream().filter(s -> s.ttftNs() != null).mapToLong(Sample::ttftNs).toArray());
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static void write(HistogramLogWriter writer, String tag, long[] values) {
    if (values.length == 0) return;
    Histogram h = new Histogram(3);
    for (long v : values) h.recordValue(Math.max(0, v));
    h.setTag(tag);
    h.setStartTimeStamp(0);
    h.setEndTimeStamp(0);
    writer.outputIntervalHistogram(h);
  }
}
