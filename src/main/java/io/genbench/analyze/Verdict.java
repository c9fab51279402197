package io.genbench.analyze;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a measurement can be trusted, with the reasons it cannot, as MLPerf LoadGen's VALID / INVALID, and whether
 * the machine rather than the model decided it.
 *
 * @param valid true when no rule was broken
 * @param notes one sentence per broken rule or condition, with what to change
 * @param hostBound the GPU was busy less than {@link #HOST_BOUND_BELOW} of each denoising step: the figure measures the
 *     CPU's kernel-launch rate, not the GPU (a valid measurement of that, labelled {@code HOST-BOUND})
 * @param median the interval of the median e2e the verdict judged, with the width the plan asked for; null for results
 *     judged by the older rule (no {@code target_ci_pct} recorded), and then absent from result files
 * @param load what else used the machine while the case measured; null where not recorded (and absent from files)
 */
public record Verdict(boolean valid, List<String> notes, boolean hostBound,
    @JsonInclude(JsonInclude.Include.NON_NULL) Median median, @JsonInclude(JsonInclude.Include.NON_NULL) MachineLoad load) {
  /** Fewer measured iterations than this make P90+ a single observation. */
  public static final int MIN_SAMPLES = 5;
  /** A coefficient of variation above this means the run was disturbed. */
  public static final double MAX_CV = 0.10;
  /** A GPU busy less than this fraction of a step is waiting for the host. */
  public static final double HOST_BOUND_BELOW = 0.90;

  public Verdict {
    notes = List.copyOf(notes);
  }

  public Verdict(boolean valid, List<String> notes, boolean hostBound) {
    this(valid, notes, hostBound, null, null);
  }

  public Verdict(boolean valid, List<String> notes) {
    this(valid, notes, false);
  }

  /**
   * The median e2e's confidence interval as judged: the case is steady when {@code halfWidthPct ≤ targetPct}.
   *
   * @param level the confidence level, 0.95
   * @param targetPct the width the plan asked for ({@code target_ci_pct}), ± % of the median
   * @param halfWidthPct the interval's larger distance from the median, % of the median
   * @param lowMs the interval's lower end, ms
   * @param highMs its upper end, ms
   */
  public record Median(double level, double targetPct, double halfWidthPct, double lowMs, double highMs) {
    static Median of(MedianInterval i, double targetPct) {
      return new Median(i.level(), targetPct, 100 * i.halfWidth(), i.lowNs() / 1e6, i.highNs() / 1e6);
    }
  }

  /**
   * What else the verdict weighs besides the samples.
   *
   * @param warmupIterations warm-up iterations run (most of any trial), or null when unknown
   * @param steady whether warm-up reached steady timing in every trial, or null when the worker did not say
   * @param busyFraction the GPU-busy fraction of a step, or null (CPU, or not measured)
   * @param cudaGraphs whether CUDA graphs were on (null: unknown)
   * @param compile whether torch.compile was on (null: unknown)
   * @param trials how the trials agree, or null with one trial
   * @param busyHighest with trials, the busiest trial's fraction ({@code busyFraction} is the least busy's), else null
   * @param llm an LLM decode: its remedies are CUDA-graph decode over a static KV cache ({@code cuda_graphs}, on by
   *     auto on CUDA) and torch.compile where they were off, then a larger batch
   * @param targetCiPct the plan's {@code target_ci_pct}: judge the median's 95 % interval against it; null for runs
   *     measured before it existed, judged by the older rule (the e2e coefficient of variation against {@link #MAX_CV})
   * @param median the 95 % interval of the median e2e over every measured sample, or null with too few samples
   * @param load what else used the machine while measuring, or null when not recorded
   * @param driftPct with {@code targetCiPct}: how far the median of the second half of the measured iterations lies
   *     from the first half's, % of the first (the trial that drifted most); a warm-up that missed its steady rule
   *     is then INVALID only when this exceeds the target (the measured iterations were still warming up); or null
   */
  public record Conditions(Integer warmupIterations, Boolean steady, Double busyFraction, Boolean cudaGraphs, Boolean compile,
      TrialStats trials, Double busyHighest, boolean llm, Double targetCiPct, MedianInterval median, MachineLoad load,
      Double driftPct) {
    public static final Conditions NONE = new Conditions(null, null, null, null, null, null, null, false);

    public Conditions(Integer warmupIterations, Boolean steady, Double busyFraction, Boolean cudaGraphs, Boolean compile,
        TrialStats trials, Double busyHighest, boolean llm) {
      this(warmupIterations, steady, busyFraction, cudaGraphs, compile, trials, busyHighest, llm, null, null, null, null);
    }

    public Conditions(Integer warmupIterations, Boolean steady, Double busyFraction, Boolean cudaGraphs, Boolean compile,
        TrialStats trials) {
      this(warmupIterations, steady, busyFraction, cudaGraphs, compile, trials, null, false);
    }
  }

  /** Applies the validity rules to the end-to-end latency of a case. */
  public static Verdict of(LatencySummary e2e) {
    return of(e2e, Conditions.NONE);
  }

  /** Applies the validity rules to the end-to-end latency of a case and the conditions it was measured in. */
  public static Verdict of(LatencySummary e2e, Conditions c) {
    List<String> notes = new ArrayList<>();
    if (e2e == null) return new Verdict(false, List.of("no measured iterations"));
    boolean valid = true;
    if (e2e.n() < MIN_SAMPLES) {
      valid = false;
      notes.add("only " + e2e.n() + " measured iterations: P90 and above are the maximum; raise min_iterations to " + MIN_SAMPLES + " or more");
    }
    boolean settledAfter = c.targetCiPct() != null && c.driftPct() != null && Math.abs(c.driftPct()) <= c.targetCiPct();
    if (Boolean.FALSE.equals(c.steady()) && settledAfter) {
      notes.add(String.format(Locale.ROOT, "warm-up did not meet its steady rule (%d iterations), but the measured"
          + " iterations do not drift: the median of their second half is within %.1f %% of the first half's%s",
          c.warmupIterations(), Math.abs(c.driftPct()), loadClause(c.load())));
    } else if (Boolean.FALSE.equals(c.steady())) {
      valid = false;
      notes.add("warm-up never reached steady timing (" + c.warmupIterations() + " iterations): the first measured"
          + " iterations may still be warming up; raise max_warmup_iterations or max_warmup_s, or quiet the machine"
          + loadClause(c.load()));
    }
    Median median = null;
    if (c.targetCiPct() != null) {
      valid &= steadyMedian(e2e, c, notes);
      if (c.median() != null) median = Median.of(c.median(), c.targetCiPct());
    } else if (e2e.cv() > MAX_CV) {
      valid = false;
      notes.add(String.format(Locale.ROOT, "e2e unstable: std is %.0f%% of the mean after a %s warm-up; something else"
          + " used the machine while measuring: quiet it%s", 100 * e2e.cv(),
          Boolean.TRUE.equals(c.steady()) ? "steady" : "completed", c.trials() == null ? ", or run --trials 3 to see how much it moves" : ""));
    }
    if (c.trials() != null && c.trials().disagree()) {
      valid = false;
      notes.add(String.format(Locale.ROOT, "trials disagree: %s; the difference between trials (Kruskal–Wallis p = %.2g)"
          + " is more than their own spread explains: the machine changed between them (clocks, other load, placement)",
          c.trials().describe(), c.trials().kruskalWallisP()));
    }
    boolean hostBound = c.busyFraction() != null && c.busyFraction() < HOST_BOUND_BELOW;
    if (hostBound) {
      List<String> knobs = new ArrayList<>();
      // an LLM decodes over a static KV cache in CUDA graphs with cuda_graphs on (auto on CUDA), compiled with compile on
      if (Boolean.FALSE.equals(c.cudaGraphs())) knobs.add(c.llm() ? "CUDA-graph decode (--cuda-graphs on or auto)" : "CUDA graphs (--cuda-graphs on)");
      if (Boolean.FALSE.equals(c.compile())) knobs.add("torch.compile (--compile on)");
      String batch = "a larger batch (--batch-sizes) spreads each decode step's launches over more tokens";
      String remedy = knobs.isEmpty() ? (c.llm() ? "; " + batch : "")
          : "; " + String.join(" or ", knobs) + " removes the launches from the step" + (c.llm() ? "; " + batch : "");
      String range = c.busyHighest() == null ? "" : String.format(Locale.ROOT, " (in the least busy trial; %.0f–%.0f %% across"
          + " trials)", 100 * c.busyFraction(), 100 * c.busyHighest());
      notes.add(String.format(Locale.ROOT, "host-bound: the GPU was busy %.0f %% of each step%s; this figure measures the"
          + " CPU's kernel-launch rate%s", 100 * c.busyFraction(), range,
          remedy));
    }
    return new Verdict(valid, notes, hostBound, median, c.load());
  }

  /**
   * The rule for runs that measured to a target width: the median's 95 % interval within ± {@code targetCiPct} %. A
   * spread that leaves the median steady (a preempted iteration, a slow tail) is noted, not disqualifying: it shows in
   * P99 and the standard deviation, which the report prints. Returns whether the rule holds.
   */
  private static boolean steadyMedian(LatencySummary e2e, Conditions c, List<String> notes) {
    MedianInterval m = c.median();
    String clause = loadClause(c.load());
    String load = !clause.isEmpty() && notes.stream().anyMatch(n -> n.contains(clause)) ? "" : clause; // cited once
    if (m == null) {
      notes.add("only " + e2e.n() + " measured iterations: too few for a 95 % interval of the median; raise min_iterations"
          + " to 6 or more");
      return false;
    }
    if (!m.within(c.targetCiPct())) {
      notes.add(String.format(Locale.ROOT, "median unsteady: its 95 %% interval is ±%.1f %% after %d iterations, wider than"
          + " the target ±%s %%%s; raise max_measure_s (or max_iterations) to measure longer%s", 100 * m.halfWidth(), m.n(),
          plain(c.targetCiPct()), load, c.load() != null && c.load().busy() ? ", or quiet the machine" : ""));
      return false;
    }
    if (e2e.cv() > MAX_CV) {
      notes.add(String.format(Locale.ROOT, "spread: std is %.0f %% of the mean (P99 %.1f ms, median %.1f ms): some iterations"
          + " were slowed%s; the median is held to ±%.1f %%, so it stands", 100 * e2e.cv(), e2e.p99Ns() / 1e6,
          m.medianNs() / 1e6, load, 100 * m.halfWidth()));
    }
    return true;
  }

  /** The measured load, as a clause for a note: who else used the machine, or that nothing did. */
  private static String loadClause(MachineLoad load) {
    if (load == null) return "";
    return load.busy() ? "; something else used the machine while measuring: " + load.describe()
        : "; the machine was otherwise quiet (" + load.describe() + ")";
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** {@code VALID}, {@code HOST-BOUND} (valid, but the host decided the figure) or {@code INVALID}. */
  public String label() {
    return !valid ? "INVALID" : hostBound ? "HOST-BOUND" : "VALID";
  }
}
