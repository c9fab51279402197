package io.genbench.execute;

import io.genbench.Labeled;

/** What runs a case's model ({@code --backend}): the in-JVM ONNX loop, or the Python worker with PyTorch or diffusers. */
public enum Backend implements Labeled {
  /** Not a backend: the choice of one, torch when a GPU and PyTorch are present, else onnx. */
  AUTO("auto"),
  ONNX("onnx"),
  TORCH("torch"),
  DIFFUSERS("diffusers");

  private final String label;

  Backend(String label) {
    this.label = label;
  }

  @Override
  public String label() {
    return label;
  }

  /** The label: picocli lists the valid choices and shows defaults with it. */
  @Override
  public String toString() {
    return label;
  }

  public static Backend parse(String value, String origin) {
    return Labeled.parse(Backend.class, value, "backend", origin);
  }
}
