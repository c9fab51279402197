package io.genbench.plan;

/**
 * What a case asks of the machine it runs on.
 *
 * @param gpus GPUs the case uses, ≥ 1
 * @param memoryRequest Kubernetes memory request (e.g. {@code 12Gi}), or null
 * @param memoryLimit Kubernetes memory limit, or null
 */
public record Resources(int gpus, String memoryRequest, String memoryLimit) {
  public static final Resources DEFAULT = new Resources(1, null, null);

  public Resources {
    if (gpus < 1) throw new IllegalArgumentException("gpus must be >= 1, was " + gpus);
  }
}
