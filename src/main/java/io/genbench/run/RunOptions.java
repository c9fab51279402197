package io.genbench.run;

/**
 * How a run was started, stored as {@value #FILE} with the run: a resumed run goes on the same way. Labels as the
 * options take them ({@code torch}, {@code spot}, {@code kubernetes}).
 *
 * @param trials null in runs from before trials were stored (then 1)
 * @param executor null in runs from before it was stored (then local)
 * @param plan null in runs from before the plan was fingerprinted (then any plan.yaml resumes)
 */
public record RunOptions(String backend, boolean tiny, String weights, String saveImages, String lifecycle, String region,
    String actualInstance, Integer trials, String executor, String gpus, PlanFingerprint plan) {

  /** The file in the run directory. */
  public static final String FILE = "run-options.json";
}
