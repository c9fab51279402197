package io.genbench.plan;

import io.genbench.UserError;
import java.util.Locale;

/**
 * An optimisation knob: {@code AUTO} lets the worker pick the fastest setting that computes the same result on the
 * device it runs on (CUDA graphs on for CUDA diffusion UNets, channels_last for the CUDA SD 1.x/2.x UNet at batch 1, both off
 * on CPU), and it reports what it
 * chose; {@code ON} and {@code OFF} force it, to compare one variable at a time.
 */
public enum Toggle {
  AUTO, ON, OFF;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Accepts auto, on, off (and true / false, as YAML writes booleans). */
  public static Toggle parse(String value, String origin) {
    return switch (value == null ? "" : value.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> AUTO;
      case "on", "true", "yes" -> ON;
      case "off", "false", "no" -> OFF;
      default -> throw new UserError("Bad value \"" + value + "\" (" + origin + "). Known: auto, on, off.");
    };
  }
}
