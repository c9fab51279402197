package io.genbench.execute.onnx;

import io.genbench.analyze.MedianInterval;
import io.genbench.plan.Settings;
import java.util.Arrays;

/**
 * When measured iterations stop, written once (the Python worker's {@code steady.measure_done} is the same rule): at
 * least {@code minIterations}, and on until {@code minDurationS} has passed and the 95 % interval of the median e2e
 * lies within ± {@code targetCiPct} % of the median; stopped early only by {@code maxIterations}, or by
 * {@code maxMeasureS} once the minimum count ran. So a quiet machine stops as soon as the figure is steady and a noisy
 * one measures longer, up to the case's budget, instead of both running a fixed count.
 *
 * <p>A pure function of the times fed to it: the executor feeds each measured iteration's e2e time and asks
 * {@link #done(long)} with the time spent measuring so far.
 */
public final class MeasureStop {
  private final int minIterations;
  private final int maxIterations;
  private final long minNs;
  private final long maxNs;
  private final double targetCiPct;
  private long[] e2eNs = new long[16];
  private int n;

  public MeasureStop(int minIterations, int maxIterations, long minNs, long maxNs, double targetCiPct) {
    if (minIterations < 1 || maxIterations < minIterations) {
      throw new IllegalArgumentException("need 1 <= minIterations <= maxIterations, was " + minIterations + ", " + maxIterations);
    }
    if (!(targetCiPct > 0)) throw new IllegalArgumentException("targetCiPct must be > 0, was " + targetCiPct);
    this.minIterations = minIterations;
    this.maxIterations = maxIterations;
    this.minNs = minNs;
    this.maxNs = maxNs;
    this.targetCiPct = targetCiPct;
  }

  /** The rule a run's settings ask for. */
  public static MeasureStop of(Settings s) {
    return new MeasureStop(s.minIterations(), s.maxIterations(), (long) (s.minDurationS() * 1e9), (long) (s.maxMeasureS() * 1e9),
        s.targetCiPct());
  }

  /** Records one measured iteration's e2e time. */
  public void add(long e2eNs) {
    if (n == this.e2eNs.length) this.e2eNs = Arrays.copyOf(this.e2eNs, 2 * n);
    this.e2eNs[n++] = e2eNs;
  }

  public int iterations() {
    return n;
  }

  /** The 95 % interval of the median so far, or null with too few iterations for one. */
  public MedianInterval interval() {
    return MedianInterval.of(Arrays.copyOf(e2eNs, n));
  }

  /** Whether the median is held to the target width. */
  public boolean steady() {
    MedianInterval i = interval();
    return i != null && i.within(targetCiPct);
  }

  /** Whether measuring is over after the iterations recorded so far, {@code elapsedNs} after it started. */
  public boolean done(long elapsedNs) {
    if (n >= maxIterations) return true;
    if (n < minIterations) return false;
    if (elapsedNs >= maxNs) return true;
    return elapsedNs >= minNs && steady();
  }
}
