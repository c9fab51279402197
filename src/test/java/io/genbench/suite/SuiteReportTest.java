package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

final class SuiteReportTest {

  private static List<ObjectNode> events(String... lines) {
    return java.util.Arrays.stream(lines).map(Launcher::parse).toList();
  }

  private static final String LAUNCH2 = "{\"type\":\"launch\",\"processes\":2,\"command\":[]}";
  private static final String START = "{\"type\":\"suite_start\",\"experiment\":\"collectives\",\"world_size\":2,\"backend\":\"nccl\","
      + "\"device\":\"cuda\",\"simulate\":false,\"config\":{}}";
  private static final String ALL_REDUCE = "{\"type\":\"record\",\"experiment\":\"collectives\",\"kind\":\"collective\",\"data\":"
      + "{\"operation\":\"all_reduce\",\"bytes\":1073741824,\"ranks\":4,\"time_ns\":3250000,\"correct\":true}}";
  private static final String DONE = "{\"type\":\"suite_done\",\"experiment\":\"collectives\",\"correct\":true}";
  private static final String EXIT0 = "{\"type\":\"exit\",\"processes\":2,\"exit_code\":0,\"timed_out\":false}";

  @Test
  void collectiveRecordsGetAlgorithmAndBusBandwidth() {
    SuiteReport report = SuiteReport.of(events(LAUNCH2, START, ALL_REDUCE, DONE, EXIT0));

    ObjectNode row = report.runs().get(0).records().get(0).json();
    assertThat(row.path("algbw_gb_s").asDouble()).isEqualTo(330.3821);
    assertThat(row.path("bus_factor").asDouble()).isEqualTo(1.5);
    assertThat(row.path("busbw_gb_s").asDouble()).isEqualTo(495.57315);
    assertThat(report.ok()).isTrue();
  }

  @Test
  void aWrongResultMakesTheRunIncorrect() {
    SuiteReport report = SuiteReport.of(events(LAUNCH2, START, ALL_REDUCE.replace("true}}", "false}}"),
        DONE.replace("true", "false"), EXIT0));

    assertThat(report.runs()).extracting(SuiteReport.Run::status).containsExactly("incorrect");
    assertThat(report.ok()).isFalse();
  }

  @Test
  void aLaunchWithoutSuiteDoneFailedAndATimeoutSaysSo() {
    SuiteReport report = SuiteReport.of(events(LAUNCH2, START, EXIT0.replace("\"exit_code\":0", "\"exit_code\":1"),
        LAUNCH2, START, "{\"type\":\"exit\",\"processes\":2,\"exit_code\":-1,\"timed_out\":true}"));

    assertThat(report.runs()).extracting(SuiteReport.Run::status).containsExactly("failed", "timeout");
    assertThat(report.runs().get(0).failure()).contains("exited with code 1");
    assertThat(report.markdown()).contains("NOT OK");
  }

  @Test
  void aLaunchCutOffWithoutAnExitIsUnfinishedAndKeepsItsRecords() {
    // genbench killed during the second launch (a timeout of the whole command): no exit line was written
    SuiteReport report = SuiteReport.of(events(LAUNCH2, START, ALL_REDUCE, DONE, EXIT0, LAUNCH2, START, ALL_REDUCE));

    assertThat(report.runs()).extracting(SuiteReport.Run::status).containsExactly("ok", "unfinished");
    assertThat(report.runs().get(1).records()).hasSize(1);
    assertThat(report.runs().get(1).failure()).contains("killed or interrupted");
    assertThat(report.ok()).isFalse();
    assertThat(report.markdown()).contains("NOT OK").doesNotContain("every launch finished");
  }

  @Test
  void pipelineCsvStartsWithTheSeedColumns() {
    String pipe = "{\"type\":\"record\",\"experiment\":\"pipeline-diffusion\",\"kind\":\"pipeline\",\"data\":"
        + "{\"fill_time_sec\":0.5,\"gpu_count\":2,\"per_sample_sec\":0.25,\"total_time_sec\":2.5}}";

    String csv = SuiteReport.of(events(LAUNCH2, START, pipe, DONE, EXIT0)).csvFiles().get("pipeline.csv");

    assertThat(csv.lines().findFirst().orElseThrow()).startsWith("gpu_count,total_time_sec,per_sample_sec,");
    assertThat(csv.lines().skip(1).findFirst().orElseThrow()).startsWith("2,2.5,0.25,");
  }

  @Test
  void everyFigureIsInPlainNotationInCsvJsonAndMarkdown() {
    String tiny = ALL_REDUCE.replace("1073741824", "8").replace("3250000", "34900");
    String small = "{\"type\":\"record\",\"experiment\":\"collectives\",\"kind\":\"probe\",\"data\":"
        + "{\"seconds\":1.2345678E-7,\"big\":3.0E12,\"list\":[2.5E-5]}}";
    SuiteReport report = SuiteReport.of(events(LAUNCH2, START, tiny, small, DONE, EXIT0));

    String csv = report.csvFiles().get("collective.csv");
    assertThat(csv).contains(",0.000229,").doesNotContainPattern("[0-9][eE][-+]?[0-9]");
    assertThat(report.csvFiles().get("probe.csv")).contains("0.000000123457,3000000000000");
    String json = Figures.json(report.resultsJson());
    assertThat(json).contains("0.000229").contains("0.000000123457").contains("0.000025")
        .doesNotContainPattern("[0-9][eE][-+]?[0-9]");
    assertThat(report.markdown()).contains("0.000229").doesNotContainPattern("[0-9][eE][-+]?[0-9]");
    assertThat(Figures.plain(1328.4567)).isEqualTo("1328.46");
    assertThat(Figures.plain(332123.5)).isEqualTo("332124");
    assertThat(Figures.plain(Double.NaN)).isEqualTo("N/A");
  }

  @Test
  void bandwidthFarUnderThePreflightLinkPeakIsSuspectAndSmallMessagesAreNotJudged() {
    String pre = "{\"type\":\"record\",\"experiment\":\"collectives\",\"kind\":\"preflight\",\"data\":"
        + "{\"world_size\":2,\"min_link_peak_gb_s\":450.0,\"links\":\"NV18\"}}";
    String healthy = ALL_REDUCE.replace("\"ranks\":4", "\"ranks\":2"); // 1 GiB in 3.25 ms: busbw 330 GB/s
    String slow = healthy.replace("all_reduce", "broadcast").replace("3250000", "10737418"); // 100 GB/s
    String small = healthy.replace("1073741824", "1048576").replace("3250000", "1000000"); // 1 MiB, 1 GB/s
    SuiteReport report = SuiteReport.of(events(LAUNCH2, START, pre, healthy, slow, small, DONE, EXIT0));

    List<ObjectNode> rows = report.runs().get(0).records().stream().map(Row::json).toList();
    assertThat(rows.get(1).path("suspect").asBoolean()).isFalse();
    assertThat(rows.get(1).path("peak_fraction").asDouble()).isBetween(0.73, 0.74);
    assertThat(rows.get(2).path("suspect").asBoolean()).isTrue();
    assertThat(rows.get(3).has("suspect")).isFalse();
    assertThat(report.suspects()).hasSize(1);
    assertThat(report.markdown()).contains("Suspect interconnect").contains("broadcast busbw 100 GB/s at 1073741824 B vs a peak of 450 GB/s");

    SuiteReport unknown = SuiteReport.of(events(LAUNCH2, START, slow, DONE, EXIT0));
    assertThat(unknown.runs().get(0).records().get(0).json().has("suspect")).isFalse(); // no peak known: not judged
  }

  @Test
  void decimalsUseAPointUnderAGermanLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      SuiteReport report = SuiteReport.of(events(LAUNCH2, START, ALL_REDUCE, DONE, EXIT0));

      assertThat(report.csvFiles().get("collective.csv")).contains("330.382,").doesNotContain("330,38");
      assertThat(report.markdown()).contains("330.4");
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void tensorParallelRowsGetSpeedupAndScalingEfficiencyAgainstTp1() {
    String tp1 = "{\"type\":\"record\",\"experiment\":\"tp\",\"kind\":\"tp\",\"data\":{\"tp_size\":1,\"decode_tokens_per_s\":100.0,\"prefill_ms\":8.0}}";
    String tp2 = tp1.replace("\"tp_size\":1", "\"tp_size\":2").replace("100.0", "150.0").replace("8.0", "5.0");
    String launch1 = LAUNCH2.replace("\"processes\":2", "\"processes\":1");

    SuiteReport report = SuiteReport.of(events(launch1, START, tp1, DONE, EXIT0, LAUNCH2, START, tp2, DONE, EXIT0));

    ObjectNode row = report.runs().get(1).records().get(0).json();
    assertThat(row.path("speedup").asDouble()).isEqualTo(1.5);
    assertThat(row.path("scaling_efficiency").asDouble()).isEqualTo(0.75);
    assertThat(row.path("latency_speedup").asDouble()).isEqualTo(1.6);
    assertThat(report.runs().get(0).records().get(0).json().path("scaling_efficiency").asDouble()).isEqualTo(1.0);
  }
}
