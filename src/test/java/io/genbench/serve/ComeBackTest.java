package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The wait for the next request follows how soon clients came back, within 2-8 ms. */
final class ComeBackTest {
  private static final long MS = 1_000_000L;

  @Test
  void beforeAnyClientCameBackTheWaitIsTheFloor() {
    assertThat(new ComeBack(true).waitNs()).isEqualTo(ComeBack.FLOOR_NS).isEqualTo(2 * MS);
  }

  @Test
  void theWaitIsTheLongestRecentComeBackAndAQuarter() {
    var c = new ComeBack(true);
    c.cameBack(MS / 2);
    assertThat(c.waitNs()).isEqualTo(2 * MS);  // 0.625 ms: the floor
    c.cameBack(4 * MS);
    assertThat(c.waitNs()).isEqualTo(5 * MS);
    c.cameBack(MS);
    assertThat(c.waitNs()).isEqualTo(5 * MS);  // the longest of the recent ones
    c.cameBack(7 * MS);
    assertThat(c.waitNs()).isEqualTo(ComeBack.CAP_NS);  // 8.75 ms: the cap
  }

  @Test
  void aLongComeBackIsForgottenOnceKeptOnesReplacedIt() {
    var c = new ComeBack(true);
    c.cameBack(4 * MS);
    for (int i = 0; i < ComeBack.KEPT - 1; i++) c.cameBack(MS);
    assertThat(c.waitNs()).isEqualTo(5 * MS);
    c.cameBack(MS);
    assertThat(c.waitNs()).isEqualTo(2 * MS);
  }

  @Test
  void aClientThatDidNotComeStraightBackDoesNotLengthenTheWait() {
    var c = new ComeBack(true);
    c.cameBack(ComeBack.STRAIGHT_BACK_NS + 1);
    c.cameBack(-1);
    assertThat(c.waitNs()).isEqualTo(2 * MS);
  }

  @Test
  void switchedOffTheWaitStaysAtTheFloor() {
    var c = new ComeBack(false);
    c.cameBack(6 * MS);
    assertThat(c.waitNs()).isEqualTo(2 * MS);
  }

  @Property(tries = 500)
  void theWaitCoversEveryKeptComeBackWithinTheBounds(@ForAll @Size(min = 1, max = 80) java.util.List<@LongRange(min = 0, max = 30_000_000) Long> gaps) {
    var c = new ComeBack(true);
    gaps.forEach(c::cameBack);
    long w = c.waitNs();
    assertThat(w).isBetween(ComeBack.FLOOR_NS, ComeBack.CAP_NS);
    // every gap since the last KEPT straight-back ones is covered, up to the cap
    gaps.stream().skip(Math.max(0, gaps.size() - ComeBack.KEPT)).filter(g -> g <= ComeBack.STRAIGHT_BACK_NS)
        .forEach(g -> assertThat(w).isGreaterThanOrEqualTo(Math.min(g, ComeBack.CAP_NS)));
  }
}
