package io.genbench.suite;


/** The experiments of {@code genbench suite}; {@link #label()} is the name on the command line and the wire. */
public enum Experiment implements io.genbench.Labeled {
  COLLECTIVES("collectives", false),
  BANDWIDTH("bandwidth", false),
  PIPELINE_DIFFUSION("pipeline-diffusion", true),
  TP("tp", true),
  PP_OVERHEAD("pp-overhead", false),
  SEQ_SCALING("seq-scaling", false);

  private final String label;
  private final boolean sweepsProcessCounts;

  Experiment(String label, boolean sweepsProcessCounts) {
    this.label = label;
    this.sweepsProcessCounts = sweepsProcessCounts;
  }

  public String label() {
    return label;
  }

  /** True when the experiment runs once per process count of a sweep (one torchrun launch each). */
  public boolean sweepsProcessCounts() {
    return sweepsProcessCounts;
  }

  /** Parses a name; an unknown one is a {@link UserError} naming every valid choice. */
  public static Experiment parse(String name) {
    return io.genbench.Labeled.parseIgnoringCase(Experiment.class, name, "experiment", null);
  }

  public static String choices() {
    return io.genbench.Labeled.choices(Experiment.class);
  }
}
