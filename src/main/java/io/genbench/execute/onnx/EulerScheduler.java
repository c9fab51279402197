package io.genbench.execute.onnx;

/**
 * Euler discrete scheduler for epsilon-prediction models, as diffusers' {@code EulerDiscreteScheduler} with
 * {@code beta_schedule="scaled_linear"} (β from 0.00085 to 0.012 over 1000 training steps) and
 * {@code timestep_spacing="linspace"}: the sampler Stable Diffusion pipelines default to.
 */
final class EulerScheduler {
  static final int TRAIN_STEPS = 1000;

  private final float[] timesteps;
  private final double[] sigmas;

  EulerScheduler(int steps) {
    double[] trainSigmas = new double[TRAIN_STEPS];
    double start = Math.sqrt(0.00085);
    double end = Math.sqrt(0.012);
    double cumprod = 1.0;
    for (int i = 0; i < TRAIN_STEPS; i++) {
      double s = start + (end - start) * i / (TRAIN_STEPS - 1);
      cumprod *= 1.0 - s * s;
      trainSigmas[i] = Math.sqrt((1 - cumprod) / cumprod);
    }
    timesteps = new float[steps];
    sigmas = new double[steps + 1];
    for (int i = 0; i < steps; i++) {
      double t = steps == 1 ? TRAIN_STEPS - 1 : (TRAIN_STEPS - 1) * (1.0 - (double) i / (steps - 1));
      timesteps[i] = (float) t;
      int lo = (int) Math.floor(t);
      int hi = Math.min(lo + 1, TRAIN_STEPS - 1);
      double frac = t - lo;
      sigmas[i] = trainSigmas[lo] * (1 - frac) + trainSigmas[hi] * frac;
    }
    sigmas[steps] = 0.0;
  }

  int steps() {
    return timesteps.length;
  }

  float timestep(int i) {
    return timesteps[i];
  }

  double sigma(int i) {
    return sigmas[i];
  }

  /** The standard deviation the initial noise is scaled by (the largest sigma, for linspace spacing). */
  double initNoiseSigma() {
    return sigmas[0];
  }

  /** Divides the latent by sqrt(σ² + 1) before the UNet sees it. */
  float inputScale(int i) {
    return (float) (1.0 / Math.sqrt(sigmas[i] * sigmas[i] + 1.0));
  }

  /** One Euler step in place: x ← x + ε·(σ_next − σ), with ε the (guided) noise prediction. */
  void step(int i, float[] latents, float[] noisePred) {
    float dt = (float) (sigmas[i + 1] - sigmas[i]);
    for (int k = 0; k < latents.length; k++) latents[k] += noisePred[k] * dt;
  }
}
