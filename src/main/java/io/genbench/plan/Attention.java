package io.genbench.plan;

import io.genbench.UserError;

/** Attention kernel: PyTorch's fused scaled-dot-product attention, or the plain softmax(QKᵀ)V math. */
public enum Attention {
  SDPA("sdpa"), MATH("math");

  private final String label;

  Attention(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static Attention parse(String value, String origin) {
    for (Attention a : values()) {
      if (a.label.equals(value)) return a;
    }
    throw new UserError("Unknown attention \"" + value + "\" (" + origin + "). Known: sdpa, math.");
  }
}
