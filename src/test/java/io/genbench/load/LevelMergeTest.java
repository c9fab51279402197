package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.capacity.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Records of several generators, each stamped on its own monotonic clock and printed as {@link RecordLines}, merge into
 * one level whose figures are those of one level over the union of the records.
 */
final class LevelMergeTest {
  static final Level LEVEL = new Level.Open("20rps", new Arrivals.Constant(20));

  /** A level's records as one machine would have them, its time zero at {@code start}. */
  static List<RequestRecord> records(long start, int n) {
    SplittableRandom random = new SplittableRandom(5);
    List<RequestRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long scheduled = start + i * 50_000_000L;
      long fired = scheduled + random.nextLong(5_000, 80_000);
      long sent = i % 17 == 3 ? 0 : fired + random.nextLong(1_000, 2_000_000);
      long first = sent == 0 ? 0 : sent + random.nextLong(1_000_000, 90_000_000);
      long done = (sent == 0 ? fired : first) + random.nextLong(1_000_000, 400_000_000);
      ErrorKind error = sent == 0 ? ErrorKind.CONNECTION : i % 11 == 5 ? ErrorKind.HTTP_STATUS : null;
      long[] chunks = error != null ? new long[0] : new long[] {first, first + 3_000_000, first + 7_500_000, done};
      out.add(new RequestRecord(0, 1, i, i < 4, i % 3, scheduled, fired, sent, first, done, error,
          error == ErrorKind.HTTP_STATUS ? 503 : error == null ? 200 : 0, 0, error == null ? 4 : 0, i % 2 == 0, chunks,
          error == null ? null : "boom, \"quoted\"", i % 5 == 0 ? 1.5 : null, error == null ? 20.25 : null));
    }
    return out;
  }

  /** {@code r} as generator clock {@code clockStart} sees it, the level's time zero {@code start} on the original clock. */
  static RequestRecord shifted(RequestRecord r, long start, long clockStart) {
    long d = clockStart - start;
    long[] chunks = r.chunkNs().clone();
    for (int i = 0; i < chunks.length; i++) chunks[i] += d;
    return new RequestRecord(r.target(), r.level(), r.index(), r.warmup(), r.prompt(), r.scheduledNs() + d, r.firedNs() + d,
        r.sentNs() == 0 ? 0 : r.sentNs() + d, r.firstByteNs() == 0 ? 0 : r.firstByteNs() + d, r.doneNs() + d, r.error(),
        r.httpStatus(), r.images(), r.outputTokens(), r.tokensCounted(), chunks, r.message(), r.serverQueueMs(), r.serverComputeMs());
  }

  /** Generator g's output: hello, its records (those with index % n == g) on its own clock, done. */
  static List<String> output(List<RequestRecord> all, long start, int g, int n, long clockStart, long leadNs, double cpu) {
    List<String> lines = new ArrayList<>();
    lines.add(RecordLines.hello(new RecordLines.Hello(g, n, 0, 1, leadNs)));
    lines.add("[main] INFO a log line of generator " + g);
    long end = 0;
    int count = 0;
    for (RequestRecord r : all) {
      if (r.index() % n != g) continue;
      lines.add(RecordLines.record(shifted(r, start, clockStart), clockStart));
      end = Math.max(end, r.doneNs() - start);
      count++;
    }
    lines.add(RecordLines.done(new RecordLines.Done(count, cpu, true, end)));
    return lines;
  }

  static LevelMerge merge(int n, List<String> log) {
    return new LevelMerge(0, "http://127.0.0.1:9/v1/images/generations", 1, LEVEL, n, log::add);
  }

  @Test
  void mergedRecordsOfFourGeneratorsOnTheirOwnClocksGiveTheFiguresOfOneLevelOverTheirUnion() {
    long start = 7_777_000_000L;
    List<RequestRecord> all = records(start, 240);
    long lastDone = all.stream().mapToLong(RequestRecord::doneNs).max().orElseThrow();
    LevelRun one = new LevelRun(0, "http://127.0.0.1:9/v1/images/generations", 1, LEVEL, start, lastDone, 0.4, true, all);
    List<String> log = new ArrayList<>();
    LevelMerge merge = merge(4, log);
    long[] clocks = {-5_000_000_000L, 123_456_789L, 9_000_000_000_000L, 42};
    double[] cpu = {0.1, 0.4, Double.NaN, 0.2};

    for (int g = 0; g < 4; g++) for (String line : output(all, start, g, 4, clocks[g], 2_000_000_000L, cpu[g])) merge.line(g, line);
    LevelMerge.Merged merged = merge.merged();

    assertThat(merged.problems()).isEmpty();
    assertThat(merged.run().records()).hasSize(240);
    assertThat(LevelStats.of(merged.run())).usingRecursiveComparison().isEqualTo(LevelStats.of(one));
    assertThat(LevelJudgement.figures(merged.run(), true, Slo.parse("p95<=1s", "test")))
        .usingRecursiveComparison().isEqualTo(LevelJudgement.figures(one, true, Slo.parse("p95<=1s", "test")));
    assertThat(merged.run().endNs() - merged.run().startNs()).isEqualTo(lastDone - start);
    assertThat(log).contains("generator 2/4: [main] INFO a log line of generator 2");
  }

  @Test
  void averagingTheGeneratorsOwnPercentilesWouldNotGiveTheMergedOne() {
    long start = 0;
    List<RequestRecord> all = records(start, 240);
    LevelMerge merge = merge(4, new ArrayList<>());
    for (int g = 0; g < 4; g++) for (String line : output(all, start, g, 4, 1000L * g, 1, 0.1)) merge.line(g, line);

    long merged = LevelStats.of(merge.merged().run()).response().p99Ns();

    double averaged = 0;
    for (int g = 0; g < 4; g++) {
      int gg = g;
      List<RequestRecord> mine = all.stream().filter(r -> r.index() % 4 == gg).toList();
      averaged += LevelStats.of(new LevelRun(0, "u", 1, LEVEL, start, 0, 0, true, mine)).response().p99Ns() / 4.0;
    }
    assertThat((double) merged).isNotEqualTo(averaged);
  }

  @Test
  void aFailedGeneratorMakesItsLevelInvalidSayingWhichOneAndWhy() {
    List<RequestRecord> all = records(0, 120);
    LevelMerge merge = merge(3, new ArrayList<>());
    for (int g = 0; g < 3; g++) {
      List<String> lines = output(all, 0, g, 3, 0, 1_000_000_000L, 0.1);
      if (g == 1) lines = lines.subList(0, 5); // its pod died after three records
      for (String line : lines) merge.line(g, line);
    }
    merge.failed(1, "Job genbench-load-l1-g1: the container ended: Error, exit code 1");

    LevelMerge.Merged merged = merge.merged();
    LevelJudgement judged = LevelJudgement.of(merged.run(), false, Slo.NONE, io.genbench.capacity.LevelValidity.Rules.DEFAULT).invalidBecause(merged.problems());

    assertThat(merged.problems()).containsExactly("generator 1/3 failed: Job genbench-load-l1-g1: the container ended: Error, exit code 1");
    assertThat(merged.run().records()).hasSize(80 + 3);
    assertThat(judged.validity().valid()).isFalse();
    assertThat(judged.describe()).contains("generator 1/3 failed");
  }

  @Test
  void aGeneratorReadyAfterTheAgreedStartMakesItsLevelInvalidWithTheRemedy() {
    List<RequestRecord> all = records(0, 60);
    LevelMerge merge = merge(2, new ArrayList<>());
    for (int g = 0; g < 2; g++) for (String line : output(all, 0, g, 2, 0, g == 1 ? -2_500_000_000L : 10_000_000L, 0.1)) merge.line(g, line);

    assertThat(merge.merged().problems()).containsExactly("generator 1/2 was ready 2.500 s after the level's agreed start, so its"
        + " first requests left late; raise --generator-lead");
  }

  @Test
  void outputCutBeforeItsDoneLineOrMissingRecordsIsAProblemNotASilentGap() {
    List<RequestRecord> all = records(0, 40);
    LevelMerge merge = merge(2, new ArrayList<>());
    List<String> zero = output(all, 0, 0, 2, 0, 1, 0.1);
    List<String> one = output(all, 0, 1, 2, 0, 1, 0.1);
    zero.forEach(l -> merge.line(0, l));
    one.subList(0, one.size() - 1).forEach(l -> merge.line(1, l));
    merge.line(0, "genbench-load/2 {\"type\":\"record\"}");
    merge.line(0, RecordLines.PREFIX + "{\"type\":\"record\",\"index\":\"x\"}");

    assertThat(merge.merged().problems()).containsExactly(
        "generator 0/2 printed a line of another protocol version (genbench-load/2 {\"ty...): this controller reads genbench-load/1;"
            + " run the same genbench version in the generator image",
        "generator 1/2's output ended before its done line: its records are incomplete");
  }

  @Test
  void aRecordLineKeepsEveryFieldThroughTheProtocol() {
    RequestRecord r = records(1_000, 20).get(7);

    RecordLines.Parsed p = RecordLines.parse(RecordLines.record(r, 1_000), 1_000, 0, 1);

    assertThat(p).isInstanceOfSatisfying(RecordLines.Parsed.RecordLine.class,
        line -> assertThat(line.record()).usingRecursiveComparison().isEqualTo(r));
    assertThat(RecordLines.parse("INFO not ours", 0, 0, 0)).isNull();
  }

  @Test
  void aRecordWhoseChunkStampsPassTheLineLimitKeepsItsCountsAndSaysSo() {
    long[] chunks = new long[200_000];
    for (int i = 0; i < chunks.length; i++) chunks[i] = 1_000_000_000_000L + i * 1_000_003L;
    RequestRecord r = new RequestRecord(0, 0, 0, false, 0, 1, 2, 3, chunks[0], chunks[chunks.length - 1], null, 200, 0,
        chunks.length, false, chunks, null, null, null);

    String line = RecordLines.record(r, 0);
    var parsed = (RecordLines.Parsed.RecordLine) RecordLines.parse(line, 0, 0, 0);

    assertThat(line.length()).isLessThanOrEqualTo(RecordLines.MAX_LINE_BYTES);
    assertThat(parsed.record().outputTokens()).isEqualTo(200_000);
    assertThat(parsed.record().chunkNs()).isEmpty();
    assertThat(parsed.record().message()).isEqualTo("200000 chunk stamps dropped: the line passed 1048576 bytes");
  }
}
