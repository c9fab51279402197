package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The answer path's millisecond text is what {@code String.format("%.3f")} wrote before it (less the sign of a rounded zero). */
final class MillisTest {

  @Property(tries = 5000)
  void writesWhatTheFormatterWrites(@ForAll @LongRange(min = 0L, max = 10_000_000_000_000L) long ns) {
    assertThat(Millis.append(new StringBuilder(), ns).toString()).isEqualTo(String.format(Locale.ROOT, "%.3f", ns / 1e6));
  }

  @Test
  void roundsHalvesOfAMicrosecondAwayFromZeroAndPadsTheDecimals() {
    for (long ns : new long[] {0, 1, 499, 500, 1_500, 999_499, 999_500, 50_000, 266_147_000, -500, -1_500, -1_000_000, 12_000_000}) {
      assertThat(Millis.append(new StringBuilder(), ns).toString()).as("%d ns", ns).isEqualTo(String.format(Locale.ROOT, "%.3f", ns / 1e6));
    }
    assertThat(Millis.append(new StringBuilder(), -499).toString()).isEqualTo("0.000");  // no "-0.000": nothing to sign
    assertThat(Millis.append(new StringBuilder("x="), 50_000).toString()).isEqualTo("x=0.050");
  }
}
