package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class CpuMeterTest {

  static final class FakeSource implements CpuMeter.Source {
    long cpu;
    long wall;
    int cores = 2;

    @Override
    public long processCpuNanos() {
      return cpu;
    }

    @Override
    public long wallNanos() {
      return wall;
    }

    @Override
    public int cores() {
      return cores;
    }
  }

  @Test
  void theFractionIsCpuTimeOverWallTimeAndCores() {
    var source = new FakeSource();
    var meter = new CpuMeter(source);
    CpuMeter.Mark start = meter.mark();

    source.wall += 10_000_000_000L;
    source.cpu += 15_000_000_000L; // one and a half cores busy for 10 s of 2 cores

    assertThat(meter.fractionSince(start)).isEqualTo(0.75);
  }

  @Test
  void aPlatformWithoutProcessCpuTimeGivesNaN() {
    var source = new FakeSource();
    source.cpu = -1;
    var meter = new CpuMeter(source);
    CpuMeter.Mark start = meter.mark();
    source.wall += 1_000_000_000L;

    assertThat(meter.fractionSince(start)).isNaN();
  }

  @Test
  void thisProcessCountsTheCpuItBurns() {
    var meter = CpuMeter.ofThisProcess();
    CpuMeter.Mark start = meter.mark();
    long sink = 0;
    for (int i = 0; i < 20_000_000; i++) sink += Long.rotateLeft(sink ^ i, 7);

    double fraction = meter.fractionSince(start);

    assertThat(sink).isNotEqualTo(42);
    assertThat(fraction).isGreaterThan(0).isLessThanOrEqualTo(1);
  }
}
