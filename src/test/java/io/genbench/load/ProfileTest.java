package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ProfileTest {
  @TempDir Path dir;

  private static long[] offsets(Arrivals a, int n) {
    Arrivals.Cursor c = a.cursor();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) out[i] = c.next();
    return out;
  }

  private Profile parse(String s) {
    return Profile.parse(s, "--profile", dir);
  }

  @Test
  void aConstantRateIsRealValuedAndEvenlySpaced() {
    Level.Open level = (Level.Open) parse("constant 0.25").levels(1, 1).get(0);

    assertThat(offsets(level.arrivals(), 3)).containsExactly(0, 4_000_000_000L, 8_000_000_000L);
    assertThat(level.label()).isEqualTo("0.25rps");
  }

  @Test
  void aPoissonProcessIsSeededAndHasItsMeanRate() {
    Arrivals a = ((Level.Open) parse("poisson 100").levels(1, 42).get(0)).arrivals();
    Arrivals b = ((Level.Open) parse("poisson 100").levels(1, 43).get(0)).arrivals();

    long[] x = offsets(a, 10_001);
    assertThat(x).isEqualTo(offsets(a, 10_001));
    assertThat(x).isNotEqualTo(offsets(b, 10_001));
    assertThat(x[10_000] / 1e9).isBetween(95.0, 105.0);
  }

  @Test
  void aRampRisesFromItsStartToItsEndRate() {
    Arrivals ramp = ((Level.Open) parse("ramp 0 10").levels(10_000_000_000L, 1).get(0)).arrivals();

    long[] t = offsets(ramp, 51);
    assertThat(t[50]).isBetween(9_900_000_000L, 10_100_000_000L); // (0 + 10) / 2 × 10 s = 50 requests in 10 s
    assertThat(t[2] - t[1]).isGreaterThan(t[50] - t[49]);
  }

  @Test
  void aSweepIsOneLevelPerStep() {
    assertThat(parse("sweep 0.5,1,2").levels(1, 1)).extracting(Level::label).containsExactly("0.5rps", "1rps", "2rps");
    assertThat(parse("sweep concurrency 1,4").levels(1, 1)).containsExactly(new Level.Closed("c1", 1), new Level.Closed("c4", 4));
    assertThat(parse("sweep poisson 3").levels(1, 1).get(0)).isInstanceOfSatisfying(Level.Open.class,
        o -> assertThat(o.arrivals()).isInstanceOf(Arrivals.Poisson.class));
  }

  @Test
  void aTraceReplaysOffsetsFromItsFirstTimestamp() throws Exception {
    Files.writeString(dir.resolve("t.csv"), "timestamp,prompt\n100.5,a\n100.0,b\n101.25,c\n");

    Level.Open level = (Level.Open) parse("trace t.csv").levels(1, 1).get(0);

    assertThat(offsets(level.arrivals(), 4)).containsExactly(0, 500_000_000L, 1_250_000_000L, -1);
  }

  @Test
  void theTextOfAProfileParsesBackToIt() {
    List<String> texts = new ArrayList<>();
    for (String s : List.of("constant 2.5", "poisson 0.01", "concurrency 8", "ramp 1 20", "sweep 1,2.5", "sweep concurrency 1,2")) {
      texts.add(parse(parse(s).text()).text());
    }
    assertThat(texts).containsExactly("constant 2.5", "poisson 0.01", "concurrency 8", "ramp 1 20", "sweep 1,2.5", "sweep concurrency 1,2");
  }

  @Test
  void badProfilesNameTheInputAndTheGrammar() {
    assertThatThrownBy(() -> parse("constnt 5")).isInstanceOf(UserError.class).hasMessageContaining("\"constnt\"")
        .hasMessageContaining("--profile").hasMessageContaining("poisson RATE");
    assertThatThrownBy(() -> parse("constant 0")).isInstanceOf(UserError.class).hasMessageContaining("> 0");
    assertThatThrownBy(() -> parse("concurrency 1.5")).isInstanceOf(UserError.class).hasMessageContaining("whole number");
    assertThatThrownBy(() -> parse("trace missing.txt")).isInstanceOf(UserError.class).hasMessageContaining("missing.txt");
  }
}
