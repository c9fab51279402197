package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class TimeShareTest {
  private static final long S = 1_000_000_000L;

  /** One trial: hello, loaded, warm-ups, samples, timing, done. Sample e2e cycles through {@code e2e}. */
  static List<WorkerEvent> trial(String id, long heldNs, Long startNs, long buildNs, int warmups, long warmupNs, int samples,
      long... e2e) {
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.Hello(null, "test", 1, null, null, null, null, "cuda", List.of(), null, "test"));
    events.add(new WorkerEvent.Loaded(id, buildNs, "random", null, null));
    for (int i = 0; i < warmups; i++) events.add(new WorkerEvent.Warmup(id, i, warmupNs));
    for (int i = 0; i < samples; i++) {
      events.add(new WorkerEvent.Sample(id, i, "measure", e2e[i % e2e.length], 0, List.of(), 0, 1, null, null, null, null));
    }
    events.add(new WorkerEvent.Timing(id, heldNs, startNs));
    events.add(new WorkerEvent.Done(id));
    return events;
  }

  private static List<WorkerEvent> withoutTiming(List<WorkerEvent> events) {
    return events.stream().filter(e -> !(e instanceof WorkerEvent.Timing)).toList();
  }

  @Test
  void everyPartOfACaseIsReadFromItsEvents() {
    var c = TimeShare.CaseTime.of("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));

    assertThat(c.timed()).isTrue();
    assertThat(c.heldNs()).isEqualTo(10 * S);
    assertThat(c.startNs()).isEqualTo(1 * S);
    assertThat(c.buildNs()).isEqualTo(2 * S);
    assertThat(c.warmupNs()).isEqualTo(3 * S / 2);
    assertThat(c.warmups()).isEqualTo(3);
    assertThat(c.measuredNs()).isEqualTo(4 * S);
    assertThat(c.samples()).isEqualTo(10);
    assertThat(c.otherNs()).isEqualTo(3 * S / 2);
    assertThat(c.failed()).isFalse();
    assertThat(c.medianCiPct()).isEqualTo(0.0);
  }

  @Test
  void aCaseThatReusedAModelBuiltForAnEarlierCaseSpentNoTimeBuildingIt() {
    List<WorkerEvent> events = new ArrayList<>(trial("r", 5 * S, null, 0, 3, S / 2, 10, 300_000_000L));
    events.set(1, WorkerEvent.parse(
        "{\"type\":\"loaded\",\"case_id\":\"r\",\"load_ns\":4000000000,\"weights\":\"random\",\"reused\":true}"));

    var c = TimeShare.CaseTime.of("r", events);

    assertThat(c.buildNs()).isZero();
    assertThat(c.otherNs()).isEqualTo(5 * S - 3 * S / 2 - 3 * S);
  }

  @Test
  void theRunsPartsAddUpToItsWallTimeWithTimeNoCaseHeldAsOther() {
    Map<String, List<WorkerEvent>> events = new LinkedHashMap<>();
    events.put("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));
    events.put("b", trial("b", 12 * S, null, 1 * S, 2, S, 10, 800_000_000L));

    var t = TimeShare.of(events, 25 * S);

    assertThat(t.capacityNs()).isEqualTo(25 * S);
    assertThat(t.startNs() + t.buildNs() + t.warmupNs() + t.measuredNs() + t.otherNs()).isEqualTo(25 * S);
    assertThat(t.measuredNs()).isEqualTo(12 * S);
    assertThat(t.otherNs()).isEqualTo(3 * S / 2 + 1 * S + 3 * S); // gaps in a, gaps in b, time outside cases
    assertThat(t.heldNs()).isEqualTo(22 * S);
  }

  @Test
  void aCaseRecordedFromItsTwinHeldNoWorkerAndIsNotCountedTwice() {
    Map<String, List<WorkerEvent>> events = new LinkedHashMap<>();
    events.put("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));
    List<WorkerEvent> twin = new ArrayList<>();
    twin.add(new WorkerEvent.MeasuredAs("a2", "a"));
    twin.addAll(trial("a2", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));
    events.put("a2", twin);

    var t = TimeShare.of(events, 11 * S);

    assertThat(t.cases()).extracting(TimeShare.CaseTime::caseId).containsExactly("a");
    assertThat(t.heldNs()).isEqualTo(10 * S);
    assertThat(t.measuredNs()).isEqualTo(4 * S);
  }

  @Test
  void theConsoleLineGivesTheMeasuredShareAndTheOtherParts() {
    Map<String, List<WorkerEvent>> events = new LinkedHashMap<>();
    events.put("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));
    events.put("b", trial("b", 12 * S, null, 1 * S, 2, S, 10, 800_000_000L));

    String line = TimeShare.of(events, 25 * S).line();

    assertThat(line).isEqualTo("measured 48 % of 25 s wall: start 4 %, builds 12 %, warm-up 14 %, other 22 %");
  }

  @Test
  void aCaseWithTrialsAddsUpItsTrialsAndSaysHowItsTrialMediansAgree() {
    List<WorkerEvent> events = new ArrayList<>();
    for (int t = 1; t <= 3; t++) {
      events.add(new WorkerEvent.Trial("c", t, 3));
      events.addAll(trial("c", 5 * S, S / 2, S, 2, S / 4, 10, 100_000_000L + t * 1_000_000L, 110_000_000L + t * 1_000_000L));
    }

    var c = TimeShare.CaseTime.of("c", events);

    assertThat(c.trials()).isEqualTo(3);
    assertThat(c.heldNs()).isEqualTo(15 * S);
    assertThat(c.startNs()).isEqualTo(3 * S / 2);
    assertThat(c.buildNs()).isEqualTo(3 * S);
    assertThat(c.warmups()).isEqualTo(6);
    assertThat(c.samples()).isEqualTo(30);
    assertThat(c.trialCiPct()).isNotNull().isGreaterThan(0.0);
    assertThat(c.medianCiPct()).isNotNull().isGreaterThan(0.0).isLessThan(15.0);
  }

  @Test
  void aFailedCaseHoldsItsTimeWithoutAMeasuredPartOrAnInterval() {
    List<WorkerEvent> events = new ArrayList<>();
    events.add(new WorkerEvent.Hello(null, "test", 1, null, null, null, null, "cuda", List.of(), null, "test"));
    events.add(new WorkerEvent.Loaded("f", 3 * S, "random", null, null));
    events.add(new WorkerEvent.Failed("f", FailureKind.GPU_OUT_OF_MEMORY, "CUDA out of memory"));
    events.add(new WorkerEvent.Timing("f", 6 * S, 2 * S));
    events.add(new WorkerEvent.Done("f"));

    var t = TimeShare.of(Map.of("f", events), 7 * S);

    var c = t.cases().getFirst();
    assertThat(c.failed()).isTrue();
    assertThat(c.measuredNs()).isZero();
    assertThat(c.median()).isNull();
    assertThat(c.otherNs()).isEqualTo(1 * S);
    assertThat(t.measuredNs()).isZero();
    assertThat(t.otherNs()).isEqualTo(2 * S);
    assertThat(t.text()).contains("f (failed)");
  }

  @Test
  void onSeveralGpusTheRunHadWallTimesGpusOfGpuTime() {
    List<WorkerEvent> a = new ArrayList<>(trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));
    a.add(a.size() - 2, new WorkerEvent.Slot("a", "0", 2, 1, 1));
    List<WorkerEvent> b = new ArrayList<>(trial("b", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L));
    b.add(b.size() - 2, new WorkerEvent.Slot("b", "1", 2, 1, 1));
    Map<String, List<WorkerEvent>> events = new LinkedHashMap<>();
    events.put("a", a);
    events.put("b", b);

    var t = TimeShare.of(events, 12 * S);

    assertThat(t.gpus()).isEqualTo(2);
    assertThat(t.capacityNs()).isEqualTo(24 * S);
    assertThat(t.line()).startsWith("measured 33 % of 24 GPU-s (12 s wall × 2 GPUs): ");
  }

  @Test
  void withoutAKnownWallTimeTheCasesHeldTimeIsTheBase() {
    var t = TimeShare.of(Map.of("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L)), null);

    assertThat(t.capacityNs()).isEqualTo(10 * S);
    assertThat(t.line()).isEqualTo("measured 40 % of 10 GPU-s held by cases: start 10 %, builds 20 %, warm-up 15 %, other 15 %");
  }

  @Test
  void logsFromBeforeTheTimingEventSayStartAndGapsTogetherAndTheViewsLeaveTheSectionOut() {
    var t = TimeShare.of(Map.of("a", withoutTiming(trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L))), 20 * S);
    var report = new RunReport("r", null, List.of(), null, List.of(), Map.of(), List.of(), t);

    assertThat(t.timed()).isFalse();
    assertThat(t.line()).isEqualTo("measured 20 % of 20 s wall: builds 10 %, warm-up 8 %, start and other 63 %");
    assertThat(t.text()).contains("not told apart").contains("N/A");
    assertThat(report.shownTimeShare()).isNull();
    assertThat(ConsoleSummary.render(report)).doesNotContain("measured");
    assertThat(MarkdownReport.render(report)).doesNotContain("Where the wall time went");
    assertThat(ResultsJson.render(report)).doesNotContain("time_share");
  }

  @Test
  void aTimedRunShowsItsBreakdownInTheConsoleTheReportAndResultsJson() {
    var t = TimeShare.of(Map.of("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L)), 20 * S);
    var report = new RunReport("r", null, List.of(), null, List.of(), Map.of(), List.of(), t);

    assertThat(ConsoleSummary.render(report)).endsWith("measured 20 % of 20 s wall: start 5 %, builds 10 %, warm-up 8 %, other 58 %\n");
    assertThat(MarkdownReport.render(report)).contains("## Where the wall time went\n\nmeasured 20 % of 20 s wall")
        .contains("| `a` | 10.0 | 1.0 | 2.0 | 1.5 (3) | 4.0 (10) | 1.5 | 40 | 0.00 % | N/A |");
    assertThat(ResultsJson.render(report)).contains("\"time_share\" : {").contains("\"measured_pct\" : 20.0")
        .contains("\"held_gpu_s\" : 10.0");
    assertThat(ReportFormat.TIME.render(report)).endsWith("measured 20 % of 20 s wall: start 5 %, builds 10 %, warm-up 8 %, other 58 %\n");
  }
  /** The same trial as the CPU worker or the embedded backend writes it: its hello says cpu. */
  private static List<WorkerEvent> onTheCpu(List<WorkerEvent> events) {
    return events.stream().map(e -> e instanceof WorkerEvent.Hello h
        ? new WorkerEvent.Hello(null, "test", 1, "onnx-cpu", null, null, null, "cpu", List.of(), null, "test") : e).toList();
  }

  @Test
  void aCpuRunSaysSecondsHeldNotGpuSeconds() {
    var t = TimeShare.of(Map.of("a", onTheCpu(trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L))), null);
    var report = new RunReport("r", null, List.of(), null, List.of(), Map.of(), List.of(), t);

    assertThat(t.gpu()).isFalse();
    assertThat(t.line()).isEqualTo("measured 40 % of 10 s held by cases: start 10 %, builds 20 %, warm-up 15 %, other 15 %");
    assertThat(ConsoleSummary.render(report)).endsWith("measured 40 % of 10 s held by cases: start 10 %, builds 20 %,"
        + " warm-up 15 %, other 15 %\n").doesNotContain("GPU");
    assertThat(MarkdownReport.render(report)).contains("| case | s held | start s |").contains("Time held per case")
        .doesNotContain("GPU-s").doesNotContain("GPU time held");
    assertThat(ReportFormat.TIME.render(report)).doesNotContain("GPU-s").contains("s held");
    assertThat(ResultsJson.render(report)).contains("\"device\" : \"cpu\"");
  }

  @Test
  void aGpuRunKeepsSayingGpuSeconds() {
    var t = TimeShare.of(Map.of("a", trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L)), null);
    var report = new RunReport("r", null, List.of(), null, List.of(), Map.of(), List.of(), t);

    assertThat(t.gpu()).isTrue();
    assertThat(MarkdownReport.render(report)).contains("| case | GPU-s held | start s |").contains("GPU time held per case");
    assertThat(ResultsJson.render(report)).contains("\"device\" : \"gpu\"");
  }

  @Test
  void severalCpuWorkersAreWorkerSecondsNotGpus() {
    List<WorkerEvent> a = new ArrayList<>(onTheCpu(trial("a", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L)));
    a.add(a.size() - 2, new WorkerEvent.Slot("a", "0", 2, 1, 1));
    Map<String, List<WorkerEvent>> events = new LinkedHashMap<>();
    events.put("a", a);
    events.put("b", onTheCpu(trial("b", 10 * S, 1 * S, 2 * S, 3, S / 2, 10, 400_000_000L)));

    assertThat(TimeShare.of(events, 12 * S).line()).startsWith("measured 33 % of 24 worker-s (12 s wall × 2 workers): ");
  }
}
