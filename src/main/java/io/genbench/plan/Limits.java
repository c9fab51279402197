package io.genbench.plan;

import io.genbench.UserError;

/**
 * The bounds every plan value must stay within, checked where a value enters (plan file or {@code genbench plan}).
 * They are generous for real sweeps and stop a typo (an extra zero, a pasted file) from becoming a run that never
 * ends or a worker that cannot allocate its input.
 */
public final class Limits {
  private Limits() {}

  /** A plan file larger than this is not a plan someone wrote or generated: 2 MiB holds the largest plan. */
  public static final int MAX_PLAN_BYTES = 2 * 1024 * 1024;
  /** Cases per plan: 2000 cases at the default ≥ 10 iterations are already days of GPU time. */
  public static final int MAX_CASES = 2000;
  public static final int MAX_BATCH_SIZE = 1024;
  public static final int MAX_STEPS = 1000;
  /** Width or height in pixels. */
  public static final int MAX_RESOLUTION = 8192;
  public static final int MAX_FRAMES = 256;
  /** Prompt text in characters. */
  public static final int MAX_PROMPT_CHARS = 4096;
  /** LLM prompt_tokens and output_tokens each. */
  public static final int MAX_TOKENS = 32768;
  public static final int MAX_GPUS = 64;
  public static final double MAX_GUIDANCE_SCALE = 100;
  /** warmup_iterations, max_warmup_iterations, min_iterations and max_iterations. */
  public static final int MAX_ITERATIONS = 100_000;
  /** min_duration_s, max_warmup_s and max_measure_s. */
  public static final double MAX_DURATION_S = 86_400;
  /** timeout_s: a week. */
  public static final double MAX_TIMEOUT_S = 7 * 86_400;

  /** Checks {@code min ≤ value ≤ max}; the message names the key, its origin and the range. */
  static int require(String key, long value, long min, long max, String origin) {
    if (value < min || value > max) {
      throw new UserError("Bad " + key + " " + value + " (" + origin + "): must be an integer from " + min + " to " + max + ".");
    }
    return (int) value;
  }

  /** Checks that a number is finite and within {@code [min, max]}. */
  static double require(String key, double value, double min, double max, String origin) {
    if (!Double.isFinite(value)) throw new UserError("Bad " + key + " " + value + " (" + origin + "): must be a finite number.");
    if (value < min || value > max) {
      throw new UserError("Bad " + key + " " + value + " (" + origin + "): must be from " + plain(min) + " to " + plain(max) + ".");
    }
    return value;
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
