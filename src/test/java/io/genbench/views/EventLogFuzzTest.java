package io.genbench.views;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.measure.CaseAnalyzer;
import io.genbench.measure.Measurements;
import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Damaged event logs (duplicated, dropped, mutated and truncated lines, several at once) are read and analysed
 * without an uncaught exception, and no line is counted silently: every line is an event or a named damage, and a
 * case never counts more samples than the log holds valid, distinct ones. 4 properties × 5,000 tries.
 */
final class EventLogFuzzTest {
  private static final int TRIES = 5_000;
  private static final String ID = "sd-2-1-g5xlarge-b1-s2-float16";
  private static final Path FILE = Path.of("cases", ID, RunDirectory.EVENTS);
  private static final List<String> VALUES = List.of("-1", "0", "1", "1.5", "1e400", "-1e400", "NaN", "Infinity", "null",
      "\"1\"", "[]", "{}", "true", "92233720368547758070", "-9223372036854775808", "2147483648", "[-1]", "[1.5]", "[null]",
      "\"" + ID + "\"", "\"other\"", "\"sample\"", "\"done\"", "\"trial\"");

  /** A valid log: one trial or two, a few samples each. */
  private static List<String> valid(int trials, int samples) {
    List<String> lines = new ArrayList<>();
    lines.add("{\"type\":\"case\",\"case_id\":\"" + ID + "\",\"spec\":{\"id\":\"" + ID + "\",\"model\":\"stabilityai/stable-diffusion-2-1\","
        + "\"batch_size\":1,\"inference_steps\":2,\"width\":512,\"height\":512,\"precision\":\"float16\"}}");
    for (int t = 1; t <= trials; t++) {
      if (trials > 1) lines.add("{\"type\":\"trial\",\"case_id\":\"" + ID + "\",\"trial\":" + t + ",\"of\":" + trials + "}");
      lines.add("{\"type\":\"hello\",\"worker_version\":\"0.1.0\",\"protocol\":1,\"python\":\"3\",\"torch\":\"1.13\",\"cuda\":null,"
          + "\"device\":\"cpu\",\"devices\":[],\"driver\":null,\"hostname\":\"ci\"}");
      lines.add("{\"type\":\"loaded\",\"case_id\":\"" + ID + "\",\"load_ns\":800000000,\"weights\":\"random\",\"parameters\":10,"
          + "\"components\":{\"unet\":10}}");
      for (int i = 0; i < samples; i++) {
        lines.add("{\"type\":\"sample\",\"case_id\":\"" + ID + "\",\"iteration\":" + i + ",\"phase\":\"measure\",\"e2e_ns\":"
            + (100_000_000 + i) + ",\"text_encode_ns\":1000000,\"step_ns\":[40000000,40000000],\"decode_ns\":10000000,"
            + "\"images\":1,\"seq\":" + i + "}");
      }
      lines.add("{\"type\":\"memory\",\"case_id\":\"" + ID + "\",\"peak_allocated_bytes\":1,\"peak_reserved_bytes\":1,\"device\":\"cpu\"}");
      lines.add("{\"type\":\"done\",\"case_id\":\"" + ID + "\"}");
    }
    return lines;
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void duplicatedLinesAreNeverCountedTwice(@ForAll("trials") int trials, @ForAll("sizes") int samples,
      @ForAll("picks") List<Integer> picks) {
    List<String> lines = valid(trials, samples);
    for (int p : picks) lines.add(Math.floorMod(p * 31, lines.size() + 1), lines.get(Math.floorMod(p, lines.size())));
    check(lines, trials * samples);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void droppedAndTruncatedLinesAreNamedOrAbsent(@ForAll("trials") int trials, @ForAll("sizes") int samples,
      @ForAll("picks") List<Integer> picks, @ForAll("picks") List<Integer> cuts) {
    List<String> lines = valid(trials, samples);
    for (int p : picks) if (lines.size() > 1) lines.remove(Math.floorMod(p, lines.size()));
    for (int c : cuts) {
      int i = Math.floorMod(c, lines.size());
      String l = lines.get(i);
      lines.set(i, l.substring(0, Math.floorMod(c * 7, l.length() + 1)));
    }
    check(lines, trials * samples);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void mutatedFieldsAreNamedOrCountedWithValidFigures(@ForAll("trials") int trials, @ForAll("sizes") int samples,
      @ForAll("picks") List<Integer> picks, @ForAll("values") List<String> values) {
    List<String> lines = valid(trials, samples);
    for (int k = 0; k < Math.min(picks.size(), values.size()); k++) {
      int i = Math.floorMod(picks.get(k), lines.size());
      lines.set(i, mutate(lines.get(i), picks.get(k), values.get(k)));
    }
    check(lines, trials * samples);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void everythingAtOnce(@ForAll("trials") int trials, @ForAll("sizes") int samples, @ForAll("picks") List<Integer> picks,
      @ForAll("values") List<String> values) {
    List<String> lines = valid(trials, samples);
    // a sample line copied, then its seq or timing edited, is indistinguishable from a real sample: each copy of a
    // sample line may add one to what a reader can count, never more
    int copiedSamples = 0;
    for (int k = 0; k < picks.size(); k++) {
      int p = picks.get(k);
      int i = Math.floorMod(p, lines.size());
      if (Math.floorMod(p, 4) == 0 && lines.get(i).contains("\"type\":\"sample\"")) copiedSamples++;
      switch (Math.floorMod(p, 4)) {
        case 0 -> lines.add(Math.floorMod(p * 13, lines.size() + 1), lines.get(i));
        case 1 -> {
          if (lines.size() > 1) lines.remove(i);
        }
        case 2 -> lines.set(i, lines.get(i).substring(0, Math.floorMod(p * 7, lines.get(i).length() + 1)));
        default -> lines.set(i, mutate(lines.get(i), p, values.isEmpty() ? "-1" : values.get(k % values.size())));
      }
    }
    check(lines, trials * samples + copiedSamples);
  }

  /** Replaces the value of one of the line's fields, or drops the field. */
  private static String mutate(String line, int pick, String value) {
    var fields = java.util.regex.Pattern.compile("\"([a-z_]+)\":").matcher(line);
    List<int[]> spans = new ArrayList<>();
    while (fields.find()) spans.add(new int[] {fields.start(), fields.end()});
    if (spans.isEmpty()) return line;
    int[] f = spans.get(Math.floorMod(pick / 7, spans.size()));
    int end = valueEnd(line, f[1]);
    if (Math.floorMod(pick, 5) == 0) { // drop the field
      String before = line.substring(0, f[0]);
      String after = line.substring(end);
      if (after.startsWith(",")) after = after.substring(1);
      else if (before.endsWith(",")) before = before.substring(0, before.length() - 1);
      return before + after;
    }
    return line.substring(0, f[1]) + value + line.substring(end);
  }

  private static int valueEnd(String line, int from) {
    int depth = 0;
    boolean quoted = false;
    for (int i = from; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"') quoted = false;
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == '[' || ch == '{') {
        depth++;
      } else if (ch == ']' || ch == '}') {
        if (depth == 0) return i;
        depth--;
      } else if (ch == ',' && depth == 0) {
        return i;
      }
    }
    return line.length();
  }

  private static void check(List<String> lines, int validSamples) {
    RunDirectory.Log log = RunDirectory.readLog(FILE, ID, lines);

    long nonBlank = lines.stream().filter(l -> !l.isBlank()).count();
    assertThat(log.events().size() + log.damage().size()).as("every line is an event or a named damage").isEqualTo(nonBlank);
    assertThat(log.damage()).allSatisfy(d -> assertThat(d).startsWith(FILE.toString()));
    List<WorkerEvent.Sample> counted = log.events().stream().filter(e -> e instanceof WorkerEvent.Sample)
        .map(e -> (WorkerEvent.Sample) e).toList();
    assertThat(counted.size()).as("samples counted").isLessThanOrEqualTo(validSamples);
    Set<String> keys = new HashSet<>();
    int trial = 1;
    for (WorkerEvent e : log.events()) {
      if (e instanceof WorkerEvent.Trial t) trial = t.trial();
      if (e instanceof WorkerEvent.Sample s) {
        assertThat(keys.add(trial + "/" + s.sequence())).as("one sample per trial and seq").isTrue();
        assertThat(s.caseId()).isEqualTo(ID);
        assertThat(s.e2eNs()).isNotNegative();
        assertThat(s.stepNs()).allSatisfy(v -> assertThat(v).isNotNegative());
      }
    }
    Measurements m = Measurements.of(log.events());
    assertThat(m.samples()).hasSize(counted.size());
    if (m.spec() == null) { // the case line itself was lost: a named refusal, which RunViews reports per case
      assertThatThrownBy(() -> CaseAnalyzer.analyze(ID, m, List.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(ID);
      return;
    }
    var result = CaseAnalyzer.analyze(ID, m, List.of());
    assertThat(result.iterations()).isLessThanOrEqualTo(validSamples);
  }

  @Provide
  Arbitrary<Integer> trials() {
    return Arbitraries.integers().between(1, 3);
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.integers().between(0, 6);
  }

  @Provide
  Arbitrary<List<Integer>> picks() {
    return Arbitraries.integers().between(0, 100_000).list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<String>> values() {
    return Arbitraries.of(VALUES).list().ofMinSize(1).ofMaxSize(6);
  }
}
