package io.genbench.execute;

import io.genbench.Labeled;

/** Where cases run ({@code --executor}): on this machine, or as Kubernetes Jobs on a cluster. */
public enum ExecutorKind implements Labeled {
  LOCAL("local"),
  KUBERNETES("kubernetes");

  private final String label;

  ExecutorKind(String label) {
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

  public static ExecutorKind parse(String value, String origin) {
    return Labeled.parse(ExecutorKind.class, value, "executor", origin);
  }
}
