package io.genbench.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Why a case did not produce a measurement. Findings describe the configuration (report them, never retry);
 * the rest are faults of the run.
 */
public enum FailureKind {
  GPU_OUT_OF_MEMORY("gpu_out_of_memory", "OOM", true, CaseStatus.OOM_SKIPPED),
  UNSUPPORTED("unsupported", "n/a", true, CaseStatus.FAILED),
  /** The chosen backend cannot run this configuration (float16 on the CPU backend): known before the run, not run. */
  SKIPPED("skipped", "skipped", false, CaseStatus.FAILED),
  /** Killed by SIGKILL / exit 137 / Kubernetes OOMKilled: almost always host memory. */
  OOM_SIGNAL("oom_signal", "killed (OOM signal)", false, CaseStatus.OOM_SIGNAL),
  /** SIGSEGV / exit 139: in GPU stacks commonly an allocation failure surfacing as a crash. */
  OOM_SIGSEGV("oom_sigsegv", "segfault", false, CaseStatus.OOM_SIGSEGV),
  TIMEOUT("timeout", "timeout", false, CaseStatus.TIMEOUT),
  WORKER_ERROR("worker_error", "error", false, CaseStatus.FAILED),
  INFRASTRUCTURE("infrastructure", "infra", false, CaseStatus.FAILED);

  private final String wire;
  private final String label;
  private final boolean finding;
  private final CaseStatus status;

  FailureKind(String wire, String label, boolean finding, CaseStatus status) {
    this.wire = wire;
    this.label = label;
    this.finding = finding;
    this.status = status;
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

  /** The {@code status} column of {@code summary.csv}. */
  public CaseStatus status() {
    return status;
  }

  /** Parses the wire spelling; unknown kinds are worker errors (a newer worker must not break an older controller). */
  @JsonCreator
  public static FailureKind fromWire(String wire) {
    return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst().orElse(WORKER_ERROR);
  }

  static String known() {
    return Arrays.stream(values()).map(FailureKind::wire).collect(Collectors.joining(", "));
  }
}
