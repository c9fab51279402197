package io.genbench.capacity;

import io.genbench.capacity.CapacityResult.Stop;
import io.genbench.capacity.ProbedLevel.Outcome;
import io.genbench.capacity.ProbedLevel.Phase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The maximum sustainable rate under an SLO, real-valued: bracket from the start rate (double while levels pass, halve
 * while they fail), bisect until the bracket is narrower than the resolution ({@code max(absolute, relative × rate)}),
 * then replicate the answer: run its rate again; when the replicate does not pass, step down by
 * {@code stepDownFraction} until a rate passes, and replicate that. An INVALID level (the generator could not drive
 * it) is rerun {@code invalidRetries} times; still INVALID, it is neither a pass nor a fail: the search stays below it
 * and the result says the capacity may be higher. Bounded by a number of levels and a time budget.
 */
public final class CapacitySearch {

  /**
   * How the search runs.
   *
   * @param startRate the first rate, requests/s, > 0
   * @param absoluteResolution the bracket width to reach, requests/s (0.01 for image servers)
   * @param relativeResolution the bracket width to reach as a fraction of the rate; the larger of the two applies
   * @param minRate no rate below this is run, requests/s
   * @param maxRate no rate above this is run, requests/s
   * @param maxLevels at most this many levels
   * @param maxSeconds at most this long (by the search's clock), seconds; checked before each level
   * @param invalidRetries an INVALID level is rerun this many times before it counts as the generator's limit
   * @param stepDownFraction after a failed replicate, the next rate is this much lower (0.05 = 5 %)
   */
  public record Settings(double startRate, double absoluteResolution, double relativeResolution, double minRate, double maxRate,
      int maxLevels, double maxSeconds, int invalidRetries, double stepDownFraction) {
    public Settings {
      if (!(startRate > 0)) throw new IllegalArgumentException("startRate must be > 0, was " + startRate);
      if (!(absoluteResolution > 0)) throw new IllegalArgumentException("absoluteResolution must be > 0, was " + absoluteResolution);
      if (!(relativeResolution >= 0)) throw new IllegalArgumentException("relativeResolution must be >= 0, was " + relativeResolution);
      if (!(minRate > 0 && minRate <= startRate && startRate <= maxRate)) {
        throw new IllegalArgumentException("need 0 < minRate <= startRate <= maxRate, was " + minRate + ", " + startRate + ", " + maxRate);
      }
      if (maxLevels < 1) throw new IllegalArgumentException("maxLevels must be >= 1, was " + maxLevels);
      if (!(maxSeconds > 0)) throw new IllegalArgumentException("maxSeconds must be > 0, was " + maxSeconds);
      if (invalidRetries < 0) throw new IllegalArgumentException("invalidRetries must be >= 0, was " + invalidRetries);
      if (!(stepDownFraction > 0 && stepDownFraction < 1)) {
        throw new IllegalArgumentException("stepDownFraction must be in (0, 1), was " + stepDownFraction);
      }
    }

    /**
     * Defaults from a start rate: 0.01 req/s or 1 % resolution, whichever is larger; rates from 0.001 to 10⁶ req/s; 40
     * levels; no time limit; one retry of an INVALID level; a 5 % step down.
     */
    public static Settings startingAt(double startRate) {
      return new Settings(startRate, 0.01, 0.01, Math.min(0.001, startRate), Math.max(1e6, startRate), 40,
          Double.POSITIVE_INFINITY, 1, 0.05);
    }

    public Settings withResolution(double absolute, double relative) {
      return new Settings(startRate, absolute, relative, minRate, maxRate, maxLevels, maxSeconds, invalidRetries, stepDownFraction);
    }

    public Settings withLimits(int maxLevels, double maxSeconds) {
      return new Settings(startRate, absoluteResolution, relativeResolution, minRate, maxRate, maxLevels, maxSeconds, invalidRetries,
          stepDownFraction);
    }

    public Settings withRates(double minRate, double maxRate) {
      return new Settings(startRate, absoluteResolution, relativeResolution, minRate, maxRate, maxLevels, maxSeconds, invalidRetries,
          stepDownFraction);
    }

    /** The bracket width to reach at {@code rate}. */
    public double resolutionAt(double rate) {
      return Math.max(absoluteResolution, relativeResolution * rate);
    }
  }

  private final Slo slo;
  private final LevelValidity.Rules rules;
  private final Settings settings;
  private final LongSupplier nanoClock;

  /**
   * @param nanoClock a monotonic clock, nanoseconds, for the time budget ({@code System::nanoTime}; a fake in tests)
   */
  public CapacitySearch(Slo slo, LevelValidity.Rules rules, Settings settings, LongSupplier nanoClock) {
    this.slo = slo;
    this.rules = rules;
    this.settings = settings;
    this.nanoClock = nanoClock;
  }

  /** The objective searched under: a probe counts goodput against it. */
  public Slo slo() {
    return slo;
  }

  /** Runs the search through {@code probe}; never throws for a budget reached (the result says so). */
  public CapacityResult search(LevelProbe probe) {
    return new Run(probe).search();
  }

  /** A budget ran out before the next level. */
  private static final class OutOfBudget extends Exception {
    final Stop stop;

    OutOfBudget(Stop stop) {
      super(null, null, false, false);
      this.stop = stop;
    }
  }

  private final class Run {
    private final LevelProbe probe;
    private final long startNanos = nanoClock.getAsLong();
    private final List<ProbedLevel> levels = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Double answer;
    private boolean replicated;

    Run(LevelProbe probe) {
      this.probe = probe;
    }

    CapacityResult search() {
      Stop stop;
      try {
        stop = bracketBisectReplicate();
      } catch (OutOfBudget e) {
        stop = e.stop;
        notes.add("the search stopped early (" + stop.label() + " after " + levels.size() + " levels)"
            + (answer != null && !replicated ? "; the answer was not replicated" : ""));
      }
      return result(stop);
    }

    private Stop bracketBisectReplicate() throws OutOfBudget {
      double lo;
      double hi;
      double r = settings.startRate();
      if (judge(r, Phase.BRACKET) == Outcome.PASS) {
        lo = r;
        while (true) {
          if (lo >= settings.maxRate()) {
            answer = lo;
            notes.add("every level passed up to the maximum rate " + CapacityResult.rate(settings.maxRate()));
            replicate();
            return answer == null ? Stop.MIN_RATE : answer >= settings.maxRate() ? Stop.MAX_RATE : Stop.CONVERGED;
          }
          r = Math.min(2 * lo, settings.maxRate());
          if (judge(r, Phase.BRACKET) != Outcome.PASS) {
            hi = r;
            break;
          }
          lo = r;
        }
      } else {
        hi = r;
        while (true) {
          r = hi / 2;
          if (r < settings.minRate()) return Stop.MIN_RATE;
          if (judge(r, Phase.BRACKET) == Outcome.PASS) {
            lo = r;
            break;
          }
          hi = r;
        }
      }
      answer = lo;
      while (hi - lo > settings.resolutionAt(lo)) {
        double mid = (lo + hi) / 2;
        if (judge(mid, Phase.BISECT) == Outcome.PASS) {
          lo = mid;
          answer = lo;
        } else {
          hi = mid;
        }
      }
      replicate();
      return answer == null ? Stop.MIN_RATE : Stop.CONVERGED;
    }

    /** Runs the answer again; steps down from one that does not pass until a rate passes twice. */
    private void replicate() throws OutOfBudget {
      double candidate = answer;
      while (true) {
        ProbedLevel again = judgeLevel(candidate, Phase.REPLICATE);
        if (again.outcome() == Outcome.PASS) {
          answer = candidate;
          replicated = true;
          return;
        }
        answer = null; // a rate that passed once and then did not is no sustainable rate
        String why = again.outcome() == Outcome.FAIL ? "failed (" + again.check().binding().map(SloCheck.Item::describe).orElse("") + ")"
            : "was " + again.validity().describe();
        double r = candidate;
        while (true) {
          r = r * (1 - settings.stepDownFraction());
          if (r < settings.minRate()) {
            notes.add("the replicate at " + CapacityResult.rate(candidate) + " " + why + "; nothing passed down to the minimum rate");
            return;
          }
          if (judge(r, Phase.STEP_DOWN) == Outcome.PASS) break;
        }
        notes.add("the replicate at " + CapacityResult.rate(candidate) + " " + why + "; stepped down to " + CapacityResult.rate(r));
        candidate = r;
        answer = r;
      }
    }

    private Outcome judge(double rate, Phase phase) throws OutOfBudget {
      return judgeLevel(rate, phase).outcome();
    }

    /** Runs a level, and reruns an INVALID one up to {@code invalidRetries} times. */
    private ProbedLevel judgeLevel(double rate, Phase phase) throws OutOfBudget {
      ProbedLevel level = runLevel(rate, phase);
      for (int i = 0; i < settings.invalidRetries() && level.outcome() == Outcome.INVALID; i++) level = runLevel(rate, Phase.RETRY);
      return level;
    }

    private ProbedLevel runLevel(double rate, Phase phase) throws OutOfBudget {
      if (levels.size() >= settings.maxLevels()) throw new OutOfBudget(Stop.MAX_LEVELS);
      if ((nanoClock.getAsLong() - startNanos) / 1e9 >= settings.maxSeconds()) throw new OutOfBudget(Stop.MAX_TIME);
      LevelFigures figures = probe.run(rate);
      ProbedLevel level = new ProbedLevel(levels.size() + 1, phase, rate, figures, LevelValidity.judge(figures, rules), slo.check(figures));
      levels.add(level);
      return level;
    }

    private CapacityResult result(Stop stop) {
      Double a = answer;
      LevelFigures atAnswer = a == null ? null : levels.reversed().stream()
          .filter(l -> l.rate() == a && l.outcome() == Outcome.PASS).findFirst().map(ProbedLevel::figures).orElse(null);
      Optional<ProbedLevel> firstFail = lowestAbove(a, Outcome.FAIL);
      Optional<ProbedLevel> firstInvalid = lowestAbove(a, Outcome.INVALID);
      Binding binding;
      if (firstInvalid.isPresent() && (firstFail.isEmpty() || firstInvalid.get().rate() < firstFail.get().rate())) {
        binding = new Binding.Generator(firstInvalid.get().validity(), firstInvalid.get().rate());
      } else if (firstFail.isPresent()) {
        binding = new Binding.SloConstraint(firstFail.get().check().binding().orElseThrow(), firstFail.get().rate());
      } else {
        SloCheck.Item closest = a == null ? null : levels.reversed().stream().filter(l -> l.rate() == a && l.outcome() == Outcome.PASS)
            .findFirst().flatMap(l -> l.check().binding()).orElse(null);
        binding = new Binding.NotReached(stop.label(), closest);
      }
      double resolution = settings.resolutionAt(a == null ? settings.minRate() : a);
      return new CapacityResult(slo, a, firstFail.map(ProbedLevel::rate).orElse(null), firstInvalid.map(ProbedLevel::rate).orElse(null),
          binding, a != null && replicated, atAnswer, resolution, stop, notes, levels);
    }

    /** The lowest-rate level with this outcome above the answer (any when there is none). */
    private Optional<ProbedLevel> lowestAbove(Double a, Outcome outcome) {
      return levels.stream().filter(l -> l.outcome() == outcome && (a == null || l.rate() > a))
          .min(Comparator.comparingDouble(ProbedLevel::rate));
    }
  }
}
