package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.genbench.UserError;
import org.junit.jupiter.api.Test;

/** Bus bandwidth by nccl-tests' doc/PERFORMANCE.md formulas. */
final class CollectiveTest {

  @Test
  void allReduceBusBandwidthIsAlgorithmBandwidthTimesTwoNMinusOneOverN() {
    // nccl-tests: busbw = algbw * 2*(nranks-1)/nranks
    for (int n : new int[] {1, 2, 4, 7, 8}) {
      assertThat(Collective.ALL_REDUCE.busFactor(n)).isCloseTo(2.0 * (n - 1) / n, within(1e-12));
    }
    assertThat(Collective.ALL_REDUCE.busFactor(2)).isEqualTo(1.0);
    assertThat(Collective.ALL_REDUCE.busFactor(8)).isEqualTo(1.75);
  }

  @Test
  void gatherScatterAndAllToAllUseNMinusOneOverN() {
    for (Collective c : new Collective[] {Collective.ALL_GATHER, Collective.REDUCE_SCATTER, Collective.ALL_TO_ALL}) {
      assertThat(c.busFactor(4)).isEqualTo(0.75);
      assertThat(c.busFactor(2)).isEqualTo(0.5);
      assertThat(c.busFactor(1)).isZero();
    }
  }

  @Test
  void broadcastAndSendRecvBusBandwidthEqualsAlgorithmBandwidth() {
    assertThat(Collective.BROADCAST.busFactor(8)).isEqualTo(1.0);
    assertThat(Collective.SEND_RECV.busFactor(2)).isEqualTo(1.0);
  }

  @Test
  void oneGibibyteAllReduceOnTwoRanksIn3250MicrosecondsIs330GbPerSecond() {
    long bytes = 1L << 30;
    long ns = 3_250_000;

    double algbw = Collective.algbwGbPerS(bytes, ns);
    double busbw = Collective.ALL_REDUCE.busbwGbPerS(bytes, ns, 2);

    assertThat(algbw).isCloseTo(330.382, within(0.001)); // 1073741824 B / 3.25 ms / 1e9
    assertThat(busbw).isCloseTo(algbw, within(1e-9));
    assertThat(Collective.ALL_REDUCE.busbwGbPerS(bytes, ns, 4)).isCloseTo(algbw * 1.5, within(1e-9));
  }

  @Test
  void anUnknownOperationIsAUserErrorNamingTheChoices() {
    assertThatThrownBy(() -> Collective.parse("allreduce")).isInstanceOf(UserError.class)
        .hasMessageContaining("all_reduce").hasMessageContaining("send_recv");
  }

  @Test
  void aZeroTimeIsRejected() {
    assertThatThrownBy(() -> Collective.algbwGbPerS(8, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
