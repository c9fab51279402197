package io.genbench.load;

import io.genbench.UserError;
import java.util.Arrays;

/**
 * Generator {@code generator} of {@code generators}'s share of a level ({@code genbench load --executor kubernetes}).
 * Open loop: arrivals {@code generator, generator + N, generator + 2N, ...} of the whole level's sequence (the plan's
 * constant, Poisson, ramp or trace arrivals with the plan's seed), so the merged arrivals are exactly the process one
 * machine would send; for a constant rate each share is the rate / N with its phase shifted by {@code generator} gaps.
 * Closed loop: the users split as evenly as they go ({@code concurrency / N}, the first {@code concurrency % N}
 * generators one more). A share's k-th request is request {@code k * N + generator} of the whole level.
 *
 * @param generator this generator's number, from 0
 * @param generators how many generators share the level, at least 1
 */
public record GeneratorShare(int generator, int generators) {
  public GeneratorShare {
    if (generators < 1) throw new IllegalArgumentException("generators must be >= 1, was " + generators);
    if (generator < 0 || generator >= generators) {
      throw new IllegalArgumentException("generator must be in 0.." + (generators - 1) + ", was " + generator);
    }
  }

  /** The most generators one level may be split over: one Job each. */
  public static final int MAX_GENERATORS = 256;

  /** Parses {@code I/N} ({@code --generator}), I from 0. */
  public static GeneratorShare parse(String text, String option) {
    String[] p = text == null ? new String[0] : text.strip().split("/");
    try {
      if (p.length == 2) {
        int i = Integer.parseInt(p[0]);
        int n = Integer.parseInt(p[1]);
        if (n >= 1 && n <= MAX_GENERATORS && i >= 0 && i < n) return new GeneratorShare(i, n);
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new UserError(option + " \"" + text + "\" is not I/N with 0 <= I < N <= " + MAX_GENERATORS + ", e.g. 0/4.");
  }

  /** {@code I/N}, as {@link #parse} reads it. */
  public String text() {
    return generator + "/" + generators;
  }

  /**
   * Refuses what cannot be split over {@code generators}: a capacity search (each of its levels depends on the last one's
   * verdict: it runs on one machine), {@code per_prompt} (requests in file order, one after the other) and a closed loop
   * with fewer users than generators.
   */
  public static void check(LoadPlan plan, Profile profile, int generators, String option) {
    if (generators < 1 || generators > MAX_GENERATORS) {
      throw new UserError(option + " must be between 1 and " + MAX_GENERATORS + ", was " + generators + ".");
    }
    if (profile instanceof Profile.Search) {
      throw new UserError("--executor kubernetes does not run a capacity search (profile \"" + plan.profile() + "\" with --slo):"
          + " each of its levels is chosen from the last one's verdict, so it runs on one machine. Give a ladder instead,"
          + " e.g. --profile 'sweep 1,2,4' --slo '" + plan.slo() + "', or drop --executor kubernetes.");
    }
    if (plan.perPrompt() != null) {
      throw new UserError("--executor kubernetes with --per-prompt " + plan.perPrompt() + ": per-prompt requests go one after"
          + " the other in file order, which one generator does; drop --per-prompt or --executor kubernetes.");
    }
    for (Level level : profile.levels(plan.durationNs(), plan.seed())) {
      if (level instanceof Level.Closed c && c.concurrency() < generators) {
        throw new UserError(option + " " + generators + " is more than the " + c.concurrency() + " users of level " + c.label()
            + ": every generator needs at least one user; give at most " + c.concurrency() + " generators.");
      }
    }
  }

  /**
   * This share of {@code whole} as a level one generator runs: an open level becomes the trace of its share's arrivals
   * within the plan's warm-up + duration and request limit; null when the share holds no request (more generators than
   * arrivals).
   */
  public Level of(Level whole, LoadPlan plan, long durationNs) {
    return switch (whole) {
      case Level.Closed c -> {
        int users = c.concurrency() / generators + (generator < c.concurrency() % generators ? 1 : 0);
        yield users == 0 ? null : new Level.Closed(c.label(), users);
      }
      case Level.Open o -> {
        long end = plan.warmupNs() + durationNs;
        long limit = plan.requests() == null ? Long.MAX_VALUE : (long) plan.warmupRequests() + plan.requests();
        Arrivals.Cursor cursor = o.arrivals().cursor();
        long[] mine = new long[16];
        int n = 0;
        long offset;
        for (long j = 0; j < limit && (offset = cursor.next()) >= 0 && offset < end; j++) {
          if (j % generators != generator) continue;
          if (n == mine.length) mine = Arrays.copyOf(mine, n * 2);
          mine[n++] = offset;
        }
        yield n == 0 ? null : new Level.Open(o.label(), new Arrivals.Trace(Arrays.copyOf(mine, n)));
      }
    };
  }

  /** What this share sends, for people (a Job annotation): {@code every 4th arrival from #2 of 10 req/s (2.5 req/s)}. */
  public String describe(Level whole) {
    return switch (whole) {
      case Level.Closed c -> {
        int users = c.concurrency() / generators + (generator < c.concurrency() % generators ? 1 : 0);
        yield users + " of the " + c.concurrency() + " users of level " + c.label();
      }
      case Level.Open o -> (generators == 1 ? "every arrival" : "every " + ordinal(generators) + " arrival from #" + (generator + 1))
          + " of level " + o.label() + rate(o.arrivals().offeredRate() / generators);
    };
  }

  private static String rate(double r) {
    if (!Double.isFinite(r)) return "";
    return " (" + new java.math.BigDecimal(r).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString() + " req/s)";
  }

  private static String ordinal(int n) {
    String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    };
    return n + suffix;
  }
}
