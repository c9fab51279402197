package io.genbench.analyze;

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
 */
public record Verdict(boolean valid, List<String> notes, boolean hostBound) {
  /** Fewer measured iterations than this make P90+ a single observation. */
  public static final int MIN_SAMPLES = 5;
  /** A coefficient of variation above this means the run was disturbed. */
  public static final double MAX_CV = 0.10;
  /** A GPU busy less than this fraction of a step is waiting for the host. */
  public static final double HOST_BOUND_BELOW = 0.90;

  public Verdict {
    notes = List.copyOf(notes);
  }

  public Verdict(boolean valid, List<String> notes) {
    this(valid, notes, false);
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
   * @param llm an LLM decode: CUDA graphs and torch.compile are not remedies the worker offers there (the plan refuses
   *     {@code cuda_graphs: on} for an LLM), a larger batch is
   */
  public record Conditions(Integer warmupIterations, Boolean steady, Double busyFraction, Boolean cudaGraphs, Boolean compile,
      TrialStats trials, Double busyHighest, boolean llm) {
    public static final Conditions NONE = new Conditions(null, null, null, null, null, null, null, false);

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
    if (Boolean.FALSE.equals(c.steady())) {
      valid = false;
      notes.add("warm-up never reached steady timing (" + c.warmupIterations() + " iterations): the first measured"
          + " iterations may still be warming up; raise max_warmup_iterations or max_warmup_s, or quiet the machine");
    }
    if (e2e.cv() > MAX_CV) {
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
      if (!c.llm() && Boolean.FALSE.equals(c.cudaGraphs())) knobs.add("CUDA graphs (--cuda-graphs on)");
      if (!c.llm() && Boolean.FALSE.equals(c.compile())) knobs.add("torch.compile (--compile on)");
      String remedy = c.llm() ? "; a larger batch (--batch-sizes) spreads each decode step's launches over more tokens"
          : knobs.isEmpty() ? "" : "; " + String.join(" or ", knobs) + " removes the launches from the step";
      String range = c.busyHighest() == null ? "" : String.format(Locale.ROOT, " (in the least busy trial; %.0f–%.0f %% across"
          + " trials)", 100 * c.busyFraction(), 100 * c.busyHighest());
      notes.add(String.format(Locale.ROOT, "host-bound: the GPU was busy %.0f %% of each step%s; this figure measures the"
          + " CPU's kernel-launch rate%s", 100 * c.busyFraction(), range,
          remedy));
    }
    return new Verdict(valid, notes, hostBound);
  }

  /** {@code VALID}, {@code HOST-BOUND} (valid, but the host decided the figure) or {@code INVALID}. */
  public String label() {
    return !valid ? "INVALID" : hostBound ? "HOST-BOUND" : "VALID";
  }
}
