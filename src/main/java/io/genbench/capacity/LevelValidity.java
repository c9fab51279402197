package io.genbench.capacity;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the generator drove a level as asked, as MLPerf LoadGen judges a run: an INVALID level is neither a pass nor a
 * fail of the SLO (its figures describe the generator, not the server) and says why, with the remedy.
 *
 * @param valid no rule broken
 * @param reasons one sentence per broken rule, empty when valid
 */
public record LevelValidity(boolean valid, List<String> reasons) {
  public LevelValidity {
    reasons = List.copyOf(reasons);
  }

  /** VALID, for a level with nothing to judge. */
  public static final LevelValidity VALID = new LevelValidity(true, List.of());

  /**
   * The rules.
   *
   * @param minAchievedFraction achieved / offered at least this (LoadGen: 0.98)
   * @param maxDispatchLagP99S the generator's dispatch lag P99 below this, seconds
   * @param maxGeneratorCpuFraction the generator's CPU below this fraction of all cores (at or above, it was saturated
   *     and its own delays are in the figures)
   * @param minDurationS the measured window at least this long, seconds
   * @param minRequests at least this many requests in the window
   */
  public record Rules(double minAchievedFraction, double maxDispatchLagP99S, double maxGeneratorCpuFraction, double minDurationS,
      int minRequests) {
    /** 98 % of offered, lag P99 under 10 ms, CPU under 90 %, 10 s and 50 requests at least. */
    public static final Rules DEFAULT = new Rules(0.98, 0.010, 0.90, 10, 50);

    public Rules {
      if (!(minAchievedFraction > 0 && minAchievedFraction <= 1)) {
        throw new IllegalArgumentException("minAchievedFraction must be in (0, 1], was " + minAchievedFraction);
      }
      if (!(maxDispatchLagP99S > 0)) throw new IllegalArgumentException("maxDispatchLagP99S must be > 0, was " + maxDispatchLagP99S);
      if (!(maxGeneratorCpuFraction > 0)) {
        throw new IllegalArgumentException("maxGeneratorCpuFraction must be > 0, was " + maxGeneratorCpuFraction);
      }
      if (!(minDurationS >= 0)) throw new IllegalArgumentException("minDurationS must be >= 0, was " + minDurationS);
      if (minRequests < 0) throw new IllegalArgumentException("minRequests must be >= 0, was " + minRequests);
    }

    /** The request count a level at {@code rate} needs: the longer of the minimum duration and the minimum count. */
    public double minimumSecondsAt(double rate) {
      return Math.max(minDurationS, minRequests / rate);
    }
  }

  /** Judges a level by the rules. */
  public static LevelValidity judge(LevelFigures level, Rules rules) {
    List<String> reasons = new ArrayList<>();
    if (level.offeredRate() != null && level.achievedRate() < rules.minAchievedFraction() * level.offeredRate()) {
      reasons.add("achieved " + rate(level.achievedRate()) + " of the " + rate(level.offeredRate()) + " offered ("
          + pct(level.achievedRate() / level.offeredRate()) + ", below " + pct(rules.minAchievedFraction())
          + "): the generator fell behind its schedule; give it more CPU or split the load over more generators");
    }
    if (level.dispatchLagP99S() >= rules.maxDispatchLagP99S()) {
      reasons.add("dispatch lag P99 " + Units.seconds(level.dispatchLagP99S()) + " is not under "
          + Units.seconds(rules.maxDispatchLagP99S()) + ": requests left late, so the generator's delay is in the response times;"
          + " give it more CPU or split the load over more generators");
    }
    if (level.generatorCpuFraction() >= rules.maxGeneratorCpuFraction()) {
      reasons.add("the generator used " + pct(level.generatorCpuFraction()) + " of the machine's CPU (at most "
          + pct(rules.maxGeneratorCpuFraction()) + "): it was saturated; run it on a machine with more cores or split the load");
    }
    if (level.durationS() < rules.minDurationS()) {
      reasons.add("measured " + Units.seconds(level.durationS()) + ", shorter than the minimum "
          + Units.seconds(rules.minDurationS()) + "; raise the level duration");
    }
    if (level.requests() < rules.minRequests()) {
      reasons.add(level.requests() + " requests, fewer than the minimum " + rules.minRequests()
          + "; raise the level duration (at " + rate(level.achievedRate()) + " it takes "
          + Units.seconds(rules.minRequests() / Math.max(level.achievedRate(), 1e-9)) + ")");
    }
    return reasons.isEmpty() ? VALID : new LevelValidity(false, reasons);
  }

  /** {@code VALID}, or {@code INVALID: reason; reason}. */
  public String describe() {
    return valid ? "VALID" : "INVALID: " + String.join("; ", reasons);
  }

  private static String rate(double r) {
    return Units.decimal(r, 4) + " req/s";
  }

  private static String pct(double fraction) {
    return Units.decimal(fraction * 100, 3) + " %";
  }
}
