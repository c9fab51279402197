package io.genbench.load;

import java.util.SplittableRandom;

/**
 * When an open-loop level's requests are due, as offsets in nanoseconds from the level's start, non-decreasing.
 * {@link #cursor()} starts a fresh sequence (the same one each time for a seeded Poisson process).
 */
public sealed interface Arrivals {
  /** The mean offered rate in requests per second (a trace's: its count over its span). */
  double offeredRate();

  Cursor cursor();

  /** The next offset, or -1 when the sequence is over. */
  @FunctionalInterface
  interface Cursor {
    long next();
  }

  /** Evenly spaced: request k at k / rate. */
  record Constant(double rate) implements Arrivals {
    public Constant {
      if (!(rate > 0) || Double.isInfinite(rate)) throw new IllegalArgumentException("rate must be > 0, was " + rate);
    }

    @Override
    public double offeredRate() {
      return rate;
    }

    @Override
    public Cursor cursor() {
      double gap = 1e9 / rate;
      long[] k = {0};
      return () -> Math.round(k[0]++ * gap);
    }
  }

  /** A Poisson process: exponential gaps with mean 1 / rate, from a seeded generator. */
  record Poisson(double rate, long seed) implements Arrivals {
    public Poisson {
      if (!(rate > 0) || Double.isInfinite(rate)) throw new IllegalArgumentException("rate must be > 0, was " + rate);
    }

    @Override
    public double offeredRate() {
      return rate;
    }

    @Override
    public Cursor cursor() {
      SplittableRandom random = new SplittableRandom(seed);
      double[] t = {0};
      boolean[] first = {true};
      return () -> {
        if (first[0]) {
          first[0] = false;
          return 0;
        }
        t[0] += -Math.log(1 - random.nextDouble()) / rate * 1e9;
        return Math.round(t[0]);
      };
    }
  }

  /**
   * A rate rising linearly from {@code from} to {@code to} over {@code spanNs}: request k is due when the integral of
   * the rate reaches k, {@code from·t + (to − from)·t²/(2·span) = k}; after the span the rate stays at {@code to}.
   */
  record Ramp(double from, double to, long spanNs) implements Arrivals {
    public Ramp {
      if (!(from >= 0) || !(to > 0) || Double.isInfinite(from) || Double.isInfinite(to)) {
        throw new IllegalArgumentException("ramp rates must be >= 0 and the end > 0, were " + from + " and " + to);
      }
      if (spanNs <= 0) throw new IllegalArgumentException("ramp span must be > 0, was " + spanNs);
    }

    @Override
    public double offeredRate() {
      return (from + to) / 2;
    }

    @Override
    public Cursor cursor() {
      double span = spanNs / 1e9;
      double total = (from + to) / 2 * span;
      long[] k = {0};
      return () -> {
        double n = k[0]++;
        double t;
        if (n > total) {
          t = span + (n - total) / to;
        } else if (from == to) {
          t = n / from;
        } else {
          double a = (to - from) / (2 * span);
          t = (-from + Math.sqrt(from * from + 4 * a * n)) / (2 * a);
        }
        return Math.round(t * 1e9);
      };
    }
  }

  /** Recorded offsets replayed as they are. */
  record Trace(long[] offsetsNs) implements Arrivals {
    public Trace {
      if (offsetsNs.length == 0) throw new IllegalArgumentException("a trace needs at least one timestamp");
    }

    @Override
    public double offeredRate() {
      long span = offsetsNs[offsetsNs.length - 1] - offsetsNs[0];
      return span <= 0 ? Double.NaN : (offsetsNs.length - 1) * 1e9 / span;
    }

    @Override
    public Cursor cursor() {
      int[] i = {0};
      return () -> i[0] < offsetsNs.length ? offsetsNs[i[0]++] : -1;
    }
  }
}
