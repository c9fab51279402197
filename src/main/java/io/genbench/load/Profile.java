package io.genbench.load;

import io.genbench.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How load is offered, one grammar for the CLI's {@code --profile} and the plan's {@code profile:}:
 * <pre>
 *   constant RATE            open loop, evenly spaced, RATE req/s (real-valued: 0.05 is fine)
 *   poisson RATE             open loop, exponential gaps (seeded)
 *   concurrency N            closed loop, N requests in flight
 *   ramp FROM TO             open loop, rate rising linearly from FROM to TO over the duration
 *   sweep R1,R2,..           one constant-rate level per rate (sweep poisson R1,.. for Poisson levels)
 *   sweep concurrency N1,..  one closed-loop level per concurrency
 *   trace FILE               open loop, replaying timestamps (seconds, one per line, first column; offsets from the first)
 *   sweep | sweep from RATE  with --slo: search the maximum sustainable rate (constant-rate levels), from RATE (default 1)
 * </pre>
 */
public sealed interface Profile {
  String GRAMMAR = "constant RATE | poisson RATE | concurrency N | ramp FROM TO | sweep R1,R2,.. | sweep poisson R1,R2,.."
      + " | sweep concurrency N1,N2,.. | trace FILE | sweep [from RATE] (with --slo: capacity search)";

  /** The levels to run, in order; {@code spanNs} is a level's measured duration (a ramp's span), {@code seed} Poisson's. */
  List<Level> levels(long spanNs, long seed);

  /** The profile as it is written, for the stored plan. */
  String text();

  record Constant(double rate) implements Profile {
    public List<Level> levels(long spanNs, long seed) {
      return List.of(new Level.Open(rateLabel(rate), new Arrivals.Constant(rate)));
    }

    public String text() {
      return "constant " + number(rate);
    }
  }

  record Poisson(double rate) implements Profile {
    public List<Level> levels(long spanNs, long seed) {
      return List.of(new Level.Open(rateLabel(rate), new Arrivals.Poisson(rate, seed)));
    }

    public String text() {
      return "poisson " + number(rate);
    }
  }

  record Concurrency(int n) implements Profile {
    public List<Level> levels(long spanNs, long seed) {
      return List.of(new Level.Closed("c" + n, n));
    }

    public String text() {
      return "concurrency " + n;
    }
  }

  record Ramp(double from, double to) implements Profile {
    public List<Level> levels(long spanNs, long seed) {
      return List.of(new Level.Open("ramp-" + number(from) + "-" + number(to), new Arrivals.Ramp(from, to, spanNs)));
    }

    public String text() {
      return "ramp " + number(from) + " " + number(to);
    }
  }

  /** A ladder: rates (constant or Poisson levels) or concurrencies (closed-loop levels). */
  record Sweep(boolean closed, boolean poisson, double[] steps) implements Profile {
    public List<Level> levels(long spanNs, long seed) {
      List<Level> levels = new ArrayList<>();
      for (double s : steps) {
        if (closed) levels.add(new Level.Closed("c" + (int) s, (int) s));
        else if (poisson) levels.add(new Level.Open(rateLabel(s), new Arrivals.Poisson(s, seed)));
        else levels.add(new Level.Open(rateLabel(s), new Arrivals.Constant(s)));
      }
      return levels;
    }

    public String text() {
      StringBuilder b = new StringBuilder("sweep ");
      if (closed) b.append("concurrency ");
      if (poisson) b.append("poisson ");
      for (int i = 0; i < steps.length; i++) b.append(i == 0 ? "" : ",").append(closed ? String.valueOf((int) steps[i]) : number(steps[i]));
      return b.toString();
    }
  }

  /** The capacity search under an SLO: constant-rate levels chosen by {@code io.genbench.capacity.CapacitySearch}. */
  record Search(double startRate) implements Profile {
    /** None up front: the search chooses each rate after the last level. */
    public List<Level> levels(long spanNs, long seed) {
      return List.of();
    }

    public String text() {
      return startRate == 1 ? "sweep" : "sweep from " + number(startRate);
    }
  }

  record Trace(Path file, long[] offsetsNs) implements Profile {
    public List<Level> levels(long spanNs, long seed) {
      return List.of(new Level.Open("trace", new Arrivals.Trace(offsetsNs)));
    }

    public String text() {
      return "trace " + file;
    }
  }

  /** Parses {@code text} (see {@link #GRAMMAR}); {@code where} names its source in errors; trace files resolve against {@code base}. */
  static Profile parse(String text, String where, Path base) {
    String[] w = text == null ? new String[0] : text.trim().split("\\s+");
    if (w.length == 0 || w[0].isEmpty()) throw new UserError("No load profile (" + where + "). Valid: " + GRAMMAR + ".");
    String kind = w[0].toLowerCase(Locale.ROOT);
    try {
      return switch (kind) {
        case "constant" -> new Constant(rate(args(w, 2, text, where)[1], text, where));
        case "poisson" -> new Poisson(rate(args(w, 2, text, where)[1], text, where));
        case "concurrency" -> new Concurrency(count(args(w, 2, text, where)[1], text, where));
        case "ramp" -> {
          args(w, 3, text, where);
          double from = Double.parseDouble(w[1]);
          if (!(from >= 0)) throw bad(text, where, "a ramp starts at a rate >= 0");
          yield new Ramp(from, rate(w[2], text, where));
        }
        case "sweep" -> sweep(w, text, where);
        case "trace" -> trace(base.resolve(args(w, 2, text, where)[1]), where);
        default -> throw new UserError("Unknown load profile \"" + w[0] + "\" (" + where + "). Valid: " + GRAMMAR + ".");
      };
    } catch (NumberFormatException e) {
      throw bad(text, where, "not a number: " + e.getMessage());
    }
  }

  private static Profile sweep(String[] w, String text, String where) {
    if (w.length == 1) return new Search(1);
    if (w.length == 3 && w[1].equalsIgnoreCase("from")) return new Search(rate(w[2], text, where));
    boolean closed = w.length == 3 && w[1].equalsIgnoreCase("concurrency");
    boolean poisson = w.length == 3 && w[1].equalsIgnoreCase("poisson");
    if (w.length != 2 && !closed && !poisson) throw bad(text, where, "sweep takes a comma-separated list of rates");
    String[] parts = w[w.length - 1].split(",");
    double[] steps = new double[parts.length];
    for (int i = 0; i < parts.length; i++) steps[i] = closed ? count(parts[i], text, where) : rate(parts[i], text, where);
    return new Sweep(closed, poisson, steps);
  }

  private static Trace trace(Path file, String where) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UserError("Cannot read the trace file " + file + " (" + where + "): " + e.getMessage());
    }
    List<Long> offsets = new ArrayList<>();
    int n = 0;
    for (String line : lines) {
      n++;
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) continue;
      String first = s.split("[,\\s]", 2)[0];
      double seconds;
      try {
        seconds = Double.parseDouble(first);
      } catch (NumberFormatException e) {
        if (offsets.isEmpty()) continue; // a header line
        throw new UserError("Trace " + file + " line " + n + ": \"" + first + "\" is not a timestamp in seconds.");
      }
      if (!Double.isFinite(seconds)) throw new UserError("Trace " + file + " line " + n + ": \"" + first + "\" is not finite.");
      offsets.add(Math.round(seconds * 1e9));
    }
    if (offsets.isEmpty()) throw new UserError("Trace " + file + " (" + where + ") holds no timestamps (seconds, one per line).");
    long[] a = offsets.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    long t0 = a[0];
    for (int i = 0; i < a.length; i++) a[i] -= t0;
    return new Trace(file, a);
  }

  private static String[] args(String[] w, int n, String text, String where) {
    if (w.length != n) throw bad(text, where, w[0] + " takes " + (n - 1) + " argument" + (n == 2 ? "" : "s"));
    return w;
  }

  private static double rate(String s, String text, String where) {
    double r = Double.parseDouble(s);
    if (!(r > 0) || Double.isInfinite(r)) throw bad(text, where, "a rate must be > 0 req/s, was " + s);
    return r;
  }

  private static int count(String s, String text, String where) {
    int n;
    try {
      n = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw bad(text, where, "a concurrency is a whole number, was " + s);
    }
    if (n < 1) throw bad(text, where, "a concurrency must be >= 1, was " + s);
    return n;
  }

  private static UserError bad(String text, String where, String why) {
    return new UserError("Bad load profile \"" + text + "\" (" + where + "): " + why + ". Valid: " + GRAMMAR + ".");
  }

  static String rateLabel(double rate) {
    return number(rate) + "rps";
  }

  /** A rate as people write it: 0.25, 2, 1000 (no exponent, no trailing zeros, a dot in any locale). */
  static String number(double v) {
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
