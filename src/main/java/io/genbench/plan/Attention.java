package io.genbench.plan;


/** Attention kernel: PyTorch's fused scaled-dot-product attention, or the plain softmax(QKᵀ)V math. */
public enum Attention implements io.genbench.Labeled {
  SDPA("sdpa"), MATH("math");

  private final String label;

  Attention(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static Attention parse(String value, String origin) {
    return io.genbench.Labeled.parse(Attention.class, value, "attention", origin);
  }
}
