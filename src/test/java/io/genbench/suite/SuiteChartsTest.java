package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.chart.Chart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

final class SuiteChartsTest {
  private static final String HOSTILE = "<script>alert(1)</script>&'\"";
  private static final String START = "{\"type\":\"suite_start\",\"experiment\":\"x\",\"world_size\":2,\"backend\":\"nccl\","
      + "\"device\":\"cuda\",\"simulate\":false,\"config\":{}}";
  private static final String DONE = "{\"type\":\"suite_done\",\"experiment\":\"x\",\"correct\":true}";

  @Test
  void aChartThatFailsAfterItsNoteLeavesOnlyItsNotDrawnNote() {
    List<Chart> drawn = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    SuiteCharts.attempt("Scaling", drawn, notes, (d, n) -> {
      n.add("Scaling against ideal: the first 8 of 9 lines are drawn.");
      throw new IllegalStateException("Fontconfig head is null");
    });

    assertThat(drawn).isEmpty();
    assertThat(notes).containsExactly("Scaling: not drawn (java.lang.IllegalStateException: Fontconfig head is null).");
  }

  @Test
  void scalingLinesAreTheSpeedUpsOverTheOneGpuRunPerModelAndBatch() {
    SuiteReport report = SuiteReport.of(events(launch(1, tp(1, "m", 1, 1000), tp(1, "m", 8, 4000)),
        launch(2, tp(2, "m", 1, 1500), tp(2, "m", 8, 7000), pipeline(2, 1.8)), launch(1, pipeline(1, 1.0))));

    List<SuiteCharts.Line> lines = SuiteCharts.scalingLines(records(report));

    assertThat(lines).extracting(SuiteCharts.Line::name).containsExactly("tp · m · batch 1", "tp · m · batch 8", "pipeline-diffusion");
    assertThat(lines.get(0).points()).satisfiesExactly(p -> assertThat(p).containsExactly(1, 1), p -> assertThat(p).containsExactly(2, 1.5));
    assertThat(lines.get(1).points().get(1)).containsExactly(2, 1.75);
    assertThat(lines.get(2).points().get(1)).containsExactly(2, 1.8);
  }

  @Test
  void theBandwidthMatrixIsTheOneWayP2pFiguresAtTheLargestMessage() {
    SuiteReport report = SuiteReport.of(events(launch(2, transfer(0, 1, 1024, 0.5), transfer(0, 1, 1 << 30, 300),
        transfer(1, 0, 1 << 30, 250), "{\"type\":\"record\",\"experiment\":\"bandwidth\",\"kind\":\"transfer\",\"data\":"
            + "{\"method\":\"p2p\",\"src\":0,\"dst\":1,\"direction\":\"both\",\"bytes\":1073741824,\"bandwidth_gb_s\":900}}")));

    SuiteCharts.Matrix m = SuiteCharts.matrix(records(report));

    assertThat(m.gpus()).isEqualTo(2);
    assertThat(m.bytes()).isEqualTo(1L << 30);
    assertThat(m.gbPerS()[0][1]).isEqualTo(300);
    assertThat(m.gbPerS()[1][0]).isEqualTo(250);
    assertThat(m.gbPerS()[0][0]).isNaN();
    assertThat(SuiteCharts.size(1L << 30)).isEqualTo("1 GiB");
  }

  @Test
  void everyChartIsWellFormedSvgWithUserStringsAsTextAndTheReportLinksThem() throws Exception {
    SuiteReport report = SuiteReport.of(events(launch(1, tp(1, HOSTILE, 1, 1000)), launch(2, tp(2, HOSTILE, 1, 1900),
        transfer(0, 1, 1 << 20, 20), transfer(1, 0, 1 << 20, 22), collective("all_reduce", 1 << 20, 2, 100_000),
        collective("all_reduce", 1 << 26, 2, 1_000_000))));

    SuiteCharts charts = SuiteCharts.of(report);

    assertThat(charts.drawn()).extracting(Chart::name).containsExactly("scaling", "bandwidth", "collectives");
    assertThat(charts.notes()).isEmpty();
    for (Chart c : charts.drawn()) {
      var f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      var doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(c.document().getBytes(StandardCharsets.UTF_8)));
      assertThat(doc.getElementsByTagNameNS("*", "script").getLength()).isZero();
      assertThat(c.svg()).doesNotContain("<script");
    }
    assertThat(charts.drawn().get(0).svg()).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(report.markdown(charts)).contains("## Charts", "![Scaling against ideal](charts/scaling.svg)");
  }

  @Test
  void aSuiteWithoutTheirExperimentsSaysSoInOneLineEach() {
    SuiteCharts charts = SuiteCharts.of(SuiteReport.of(events(launch(2, tp(2, "m", 1, 1000)))));

    assertThat(charts.drawn()).isEmpty();
    assertThat(charts.notes()).containsExactly(
        "Scaling against ideal: no tp or pipeline-diffusion result at 1 GPU and at more to compare.",
        "Bandwidth matrix: no bandwidth experiment ran (its one-way transfers draw it).",
        "Collective bus bandwidth: no collectives experiment ran.");
  }

  private static List<Row.Values> records(SuiteReport report) {
    return report.runs().stream().flatMap(r -> r.records().stream()).map(Row::values).toList();
  }

  private static List<String> launch(int processes, String... records) {
    List<String> lines = new ArrayList<>();
    lines.add("{\"type\":\"launch\",\"processes\":" + processes + ",\"command\":[]}");
    lines.add(START);
    lines.addAll(List.of(records));
    lines.add(DONE);
    lines.add("{\"type\":\"exit\",\"processes\":" + processes + ",\"exit_code\":0,\"timed_out\":false}");
    return lines;
  }

  @SafeVarargs
  private static List<ObjectNode> events(List<String>... launches) {
    return java.util.Arrays.stream(launches).flatMap(List::stream).map(Launcher::parse).toList();
  }

  private static String tp(int size, String model, int batch, double tokensPerS) {
    return "{\"type\":\"record\",\"experiment\":\"tp\",\"kind\":\"tp\",\"data\":{\"tp_size\":" + size + ",\"model\":"
        + io.genbench.Json.MAPPER.getNodeFactory().textNode(model) + ",\"batch_size\":" + batch + ",\"prompt_tokens\":8,"
        + "\"output_tokens\":4,\"prefill_ms\":1.0,\"decode_tokens_per_s\":" + tokensPerS + "}}";
  }

  private static String pipeline(int gpus, double samplesPerS) {
    return "{\"type\":\"record\",\"experiment\":\"pipeline-diffusion\",\"kind\":\"pipeline\",\"data\":{\"gpu_count\":" + gpus
        + ",\"steady_state_samples_per_sec\":" + samplesPerS + ",\"per_sample_sec\":" + 1 / samplesPerS + "}}";
  }

  private static String transfer(int src, int dst, long bytes, double gbPerS) {
    return "{\"type\":\"record\",\"experiment\":\"bandwidth\",\"kind\":\"transfer\",\"data\":{\"method\":\"p2p\",\"src\":" + src
        + ",\"dst\":" + dst + ",\"direction\":\"one\",\"bytes\":" + bytes + ",\"bandwidth_gb_s\":" + gbPerS + "}}";
  }

  private static String collective(String op, long bytes, int ranks, long ns) {
    return "{\"type\":\"record\",\"experiment\":\"collectives\",\"kind\":\"collective\",\"data\":{\"operation\":\"" + op
        + "\",\"bytes\":" + bytes + ",\"ranks\":" + ranks + ",\"time_ns\":" + ns + ",\"correct\":true}}";
  }
}
