package io.genbench.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * Why a case did not produce a measurement: the {@code kind} of a {@code failed} event, also how results files write
 * it. Findings describe the configuration (report them, never retry); the rest are faults of the run.
 */
public enum FailureKind {
  GPU_OUT_OF_MEMORY("gpu_out_of_memory", "OOM", true),
  UNSUPPORTED("unsupported", "n/a", true),
  /** The chosen backend cannot run this configuration (float16 on the CPU backend): known before the run, not run. */
  SKIPPED("skipped", "skipped", false),
  /** {@code --budget-usd} was spent before the case's worker started: not run, and run again by {@code --retry-failed}. */
  BUDGET("budget", "not run (budget)", false),
  /** Killed by SIGKILL / exit 137 / Kubernetes OOMKilled: almost always host memory. */
  OOM_SIGNAL("oom_signal", "killed (OOM signal)", false),
  /** SIGSEGV / exit 139: in GPU stacks commonly an allocation failure surfacing as a crash. */
  OOM_SIGSEGV("oom_sigsegv", "segfault", false),
  TIMEOUT("timeout", "timeout", false),
  WORKER_ERROR("worker_error", "error", false),
  INFRASTRUCTURE("infrastructure", "infra", false);

  private final String wire;
  private final String label;
  private final boolean finding;

  FailureKind(String wire, String label, boolean finding) {
    this.wire = wire;
    this.label = label;
    this.finding = finding;
  }

  /** The protocol spelling, e.g. {@code gpu_out_of_memory}; also how results files write it. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Short, for report cells. */
  public String label() {
    return label;
  }

  /** A finding describes the configuration, not a fault of ours: report it, never retry it. */
  public boolean isFinding() {
    return finding;
  }

  /**
   * Parses the wire spelling; unknown kinds, and a missing one, are worker errors (a newer worker must not break an
   * older controller).
   */
  @JsonCreator
  public static FailureKind fromWire(String wire) {
    return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst().orElse(WORKER_ERROR);
  }
}
