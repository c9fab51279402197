package io.genbench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.wire.WorkerEvent.Sample;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;

final class LatencyLogTest {

  @Test
  void hdrHistogramReadsBackEveryTaggedLatency() {
    List<Sample> samples = List.of(
        new Sample("c", 0, "measure", 1_000_000_000L, 1, List.of(400_000_000L, 410_000_000L), 2, 1, null, null, null, null),
        new Sample("c", 1, "measure", 1_200_000_000L, 1, List.of(420_000_000L, 430_000_000L), 2, 1, null, null, null, null));

    String hlog = LatencyLog.of(samples);

    var reader = new HistogramLogReader(new ByteArrayInputStream(hlog.getBytes(StandardCharsets.UTF_8)));
    Map<String, Histogram> byTag = new HashMap<>();
    while (reader.hasNext()) {
      Histogram h = (Histogram) reader.nextIntervalHistogram();
      if (h != null) byTag.put(h.getTag(), h);
    }
    assertThat(byTag).containsOnlyKeys("e2e", "per_step");
    assertThat(byTag.get("e2e").getTotalCount()).isEqualTo(2);
    assertThat(byTag.get("e2e").getMaxValue()).isCloseTo(1_200_000_000L, org.assertj.core.data.Percentage.withPercentage(0.1));
    assertThat(byTag.get("per_step").getTotalCount()).isEqualTo(4);
  }
}
