package io.genbench.plan;

import io.genbench.UserError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * The plan parser answers any input with a plan or a {@link UserError}, never another exception: 5 properties ×
 * 20,000 tries = 100,000 generated inputs, mutations of valid plans (byte flips, truncations, duplicated keys,
 * random values) and random strings.
 */
final class PlanFileFuzzTest {
  private static final int TRIES = 20_000;
  private static final List<String> VALID = validPlans();
  private static final List<String> VALUES = List.of("0", "-1", "1", "2.9", "1e309", "-1e309", "1e-400", ".inf", "-.inf", ".nan",
      "99999999999", "9223372036854775808", "0x10", "0o17", "1_000", "''", "\"\"", "~", "null", "true", "yes", "[]", "[1, 2]", "{}",
      "{a: b}", "&a 1", "*a", "*missing", "!!binary aGVsbG8=", "!!float 1", "!!int x", "!!java.io.File x", "|\n  block", ">-",
      "\"\\u0000\"", "\"\\ud800\"", "<script>", "'", "\"", "- x", "? k", ": v", "%YAML 1.1", "---", "...", "@", "`", "\t", "\u00e9\u4e2d",
      "512x512", "999999x999999", "8x8", "0x0", "float16", "g5.xlarge", "sdxl", "a".repeat(5000));

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void flippedBytesGiveAPlanOrAUserError(@ForAll("plans") int plan, @ForAll("flips") List<int[]> flips) {
    byte[] bytes = VALID.get(plan).getBytes(StandardCharsets.UTF_8);
    for (int[] flip : flips) bytes[flip[0] % bytes.length] = (byte) flip[1];
    parse(bytes);
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void truncatedPlansGiveAPlanOrAUserError(@ForAll("plans") int plan, @ForAll("fractions") int cut) {
    byte[] bytes = VALID.get(plan).getBytes(StandardCharsets.UTF_8);
    parse(java.util.Arrays.copyOf(bytes, (int) ((long) bytes.length * cut / 10_000)));
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void duplicatedAndMovedLinesGiveAPlanOrAUserError(@ForAll("plans") int plan, @ForAll("fractions") int from,
      @ForAll("fractions") int to, @ForAll("fractions") int indent) {
    List<String> lines = new ArrayList<>(VALID.get(plan).lines().toList());
    String line = lines.get(lines.size() * from / 10_001);
    String moved = " ".repeat(indent % 7) + line.stripLeading();
    lines.add(lines.size() * to / 10_001, indent % 2 == 0 ? line : moved);
    parse(String.join("\n", lines));
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void randomValuesGiveAPlanOrAUserError(@ForAll("plans") int plan, @ForAll("fractions") int at, @ForAll("values") String value) {
    List<String> lines = new ArrayList<>(VALID.get(plan).lines().toList());
    int i = lines.size() * at / 10_001;
    String line = lines.get(i);
    int colon = line.indexOf(": ");
    lines.set(i, colon < 0 ? line + value : line.substring(0, colon + 2) + value);
    parse(String.join("\n", lines));
  }

  @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
  void randomTextGivesAPlanOrAUserError(@ForAll("texts") String text) {
    parse(text);
  }

  @Provide
  Arbitrary<Integer> plans() {
    return Arbitraries.integers().between(0, VALID.size() - 1);
  }

  @Provide
  Arbitrary<Integer> fractions() {
    return Arbitraries.integers().between(0, 10_000);
  }

  @Provide
  Arbitrary<List<int[]>> flips() {
    return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 255))
        .as((at, b) -> new int[] {at, b}).list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(Arbitraries.of(VALUES), Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.doubles().map(String::valueOf), Arbitraries.longs().map(String::valueOf));
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> yamlish = Arbitraries.strings().withChars("abcsey_:-{}[]|>&*!#'\"\n \t0123456789.,?%@`\\").ofMaxLength(200);
    Arbitrary<String> prefixed = yamlish.map(s -> "cases:\n  - model: sdxl\n    " + s);
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200), yamlish, prefixed);
  }

  private static void parse(byte[] bytes) {
    try {
      PlanFile.parse(bytes, "fuzz.yaml");
    } catch (UserError expected) {
      // the only way a plan may be refused
    }
  }

  private static void parse(String text) {
    parse(text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> validPlans() {
    List<String> plans = new ArrayList<>();
    for (Mode mode : List.of(Mode.SD_ONLY, Mode.COMPARISON)) {
      Plan plan = new Plan(mode, Settings.DEFAULT, TestMatrix.of(mode).cases(t -> OptionalDouble.of(24)).subList(0, 2));
      plans.add(PlanFile.toYaml(plan, "genbench plan --mode " + mode.label()));
      plans.add(PlanFile.toJson(plan));
    }
    plans.add("""
        version: 1
        settings: {warmup_iterations: 1, min_iterations: 2, max_iterations: 3, timeout_s: 60, steady_tolerance: 0.1}
        cases:
          - model: facebook/opt-125m
            instance_type: g5.xlarge
            prompt_tokens: 16
            output_tokens: 8
          - id: my-video
            model: stabilityai/stable-video-diffusion-img2vid-xt
            instance_type: g6e.xlarge
            frames: 7
            resolution: 512x512
            guidance_scale: 2.5
            memory_request: 12Gi
        """);
    for (String p : plans) PlanFile.parse(p, "seed"); // every seed is valid: mutations start from a real plan
    return plans;
  }
}
