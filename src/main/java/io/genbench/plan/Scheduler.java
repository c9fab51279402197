package io.genbench.plan;


/** Noise scheduler of the denoising loop. */
public enum Scheduler implements io.genbench.Labeled {
  EULER("euler"), DDIM("ddim");

  private final String label;

  Scheduler(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static Scheduler parse(String value, String origin) {
    return io.genbench.Labeled.parse(Scheduler.class, value, "scheduler", origin);
  }
}
