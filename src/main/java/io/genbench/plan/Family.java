package io.genbench.plan;

/** What kind of generative model a model id is: decides the pipeline the worker runs. */
public enum Family {
  SD("sd", true), SDXL("sdxl", true), SVD("svd", true), OPT("opt", false);

  private final String label;
  private final boolean diffusion;

  Family(String label, boolean diffusion) {
    this.label = label;
    this.diffusion = diffusion;
  }

  public String label() {
    return label;
  }

  /** True for image and video diffusion models, false for LLMs. */
  public boolean isDiffusion() {
    return diffusion;
  }
}
