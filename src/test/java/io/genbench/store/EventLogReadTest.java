package io.genbench.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.wire.WorkerEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Impossible event lines are named with their file and line and never counted (issue 15, item 11). */
final class EventLogReadTest {
  private static final String ID = "sd-2-1-g5xlarge-b1-s2-float16";

  @TempDir
  Path tmp;

  static String sample(int seq, String e2e) {
    return "{\"type\":\"sample\",\"case_id\":\"" + ID + "\",\"iteration\":" + seq + ",\"phase\":\"measure\"" + e2e
        + ",\"text_encode_ns\":1000000,\"step_ns\":[40000000,40000000],\"decode_ns\":10000000,\"images\":1,\"seq\":" + seq + "}";
  }

  static String sample(int seq) {
    return sample(seq, ",\"e2e_ns\":100000000");
  }

  private RunDirectory.Log read(String... lines) throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, "x"));
    Files.createDirectories(dir.caseDir(ID));
    Files.writeString(dir.caseDir(ID).resolve(RunDirectory.EVENTS), String.join("\n", lines) + "\n");
    return dir.readLog(ID);
  }

  private static long samples(RunDirectory.Log log) {
    return log.events().stream().filter(e -> e instanceof WorkerEvent.Sample).count();
  }

  @Test
  void aDuplicatedSampleLineIsNamedAndCountedOnce() throws Exception {
    var log = read(sample(0), sample(1), sample(1), sample(2), "{\"type\":\"done\",\"case_id\":\"" + ID + "\"}");

    assertThat(samples(log)).isEqualTo(3);
    assertThat(log.damage()).singleElement().asString().contains("events.jsonl line 3").contains("seq 1").contains("duplicated");
  }

  @Test
  void aSampleWithoutE2eIsNamedAndNotCountedAsZeroNanoseconds() throws Exception {
    var log = read(sample(0), sample(1), sample(2), sample(3, ""));

    assertThat(samples(log)).isEqualTo(3);
    assertThat(log.damage()).singleElement().asString().contains("line 4").contains("lacks e2e_ns");
  }

  @Test
  void negativeFractionalAndOverflowingTimingsAreNamedAndNotCounted() throws Exception {
    var log = read(sample(0, ",\"e2e_ns\":-5"), sample(1, ",\"e2e_ns\":1.5e8"), sample(2, ",\"e2e_ns\":1e400"),
        sample(3, ",\"e2e_ns\":92233720368547758070"), sample(4, ",\"e2e_ns\":null"), sample(5, ",\"e2e_ns\":\"1\""),
        sample(6).replace("[40000000,40000000]", "[40000000,-1]"), sample(7).replace("\"seq\":7", "\"seq\":-7"), sample(8));

    assertThat(samples(log)).isEqualTo(1);
    assertThat(log.damage()).hasSize(8).allSatisfy(d -> assertThat(d).contains("events.jsonl line "));
  }

  @Test
  void theSameSequenceNumberInAnotherTrialIsAnotherSample() throws Exception {
    var log = read("{\"type\":\"trial\",\"case_id\":\"" + ID + "\",\"trial\":1,\"of\":2}", sample(0), sample(1),
        "{\"type\":\"trial\",\"case_id\":\"" + ID + "\",\"trial\":2,\"of\":2}", sample(0), sample(1), sample(1));

    assertThat(samples(log)).isEqualTo(4);
    assertThat(log.damage()).singleElement().asString().contains("line 7").contains("in trial 2");
  }

  @Test
  void logsWrittenBeforeSeqExistedAreToldApartByIteration() throws Exception {
    String old = sample(0).replace(",\"seq\":0", "");

    var log = read(old, sample(1).replace(",\"seq\":1", ""), old);

    assertThat(samples(log)).isEqualTo(2);
    assertThat(log.damage()).singleElement().asString().contains("line 3").contains("iteration 0");
  }

  @Test
  void aSampleOfAnotherCaseIsNotCounted() throws Exception {
    var log = read(sample(0), sample(1).replace("\"case_id\":\"" + ID + "\"", "\"case_id\":\"other\""));

    assertThat(samples(log)).isEqualTo(1);
    assertThat(log.damage()).singleElement().asString().contains("line 2").contains("case other");
  }
}
