package io.genbench.plan;

import io.genbench.UserError;

/** Noise scheduler of the denoising loop. */
public enum Scheduler {
  EULER("euler"), DDIM("ddim");

  private final String label;

  Scheduler(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static Scheduler parse(String value, String origin) {
    for (Scheduler s : values()) {
      if (s.label.equals(value)) return s;
    }
    throw new UserError("Unknown scheduler \"" + value + "\" (" + origin + "). Known: euler, ddim.");
  }
}
