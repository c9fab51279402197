package io.genbench.plan;


/** Numeric precision of weights and activations. */
public enum Precision implements io.genbench.Labeled {
  FLOAT32("float32", 4), FLOAT16("float16", 2), BFLOAT16("bfloat16", 2);

  private final String label;
  private final int bytes;

  Precision(String label, int bytes) {
    this.label = label;
    this.bytes = bytes;
  }

  /** The wire and id spelling, e.g. {@code float16}. */
  public String label() {
    return label;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Parses a label; {@code origin} says where the value came from, for the error message. */
  public static Precision parse(String value, String origin) {
    return io.genbench.Labeled.parse(Precision.class, value, "precision", origin);
  }
}
