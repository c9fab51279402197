package io.genbench.suite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;

/**
 * One measured record as results show it: {@link #json()}, its {@code kind} then the worker's data then what the report
 * derives ({@code busbw_gb_s}, {@code speedup}, {@code suspect}, ...), in that order, for the tables, CSV files and
 * results.json; and {@link #values()}, the same fields typed, for every rule that reads them. The report's own
 * additions go through {@link #put}, so the typed view is read again only after a change.
 */
public final class Row {
  /**
   * The fields any rule of the suite reads, over every record kind (each kind fills its own; the rest stay empty): a
   * number left out reads as {@code 0}, a text as {@code ""}, except where absence itself is a finding (boxed: null).
   */
  public record Values(
      String kind, String model, boolean tiny,
      // tp
      int tpSize, int batchSize, Integer promptTokens, Integer outputTokens, double decodeTokensPerS, double prefillMs,
      // pipeline (pipeline-diffusion)
      int gpuCount, Double steadyStateSamplesPerSec, double perSampleSec,
      // pp (pp-overhead)
      String schedule, int pipelineParallelSize, int microBatches, double pipelineBubbleRatio, double analyticBubbleRatio,
      Double stageBalance, double meanStageBubbleRatio,
      // collective
      String operation, int ranks, Long bytes, long timeNs, Double busbwGbS,
      // transfer (bandwidth)
      String method, String direction, int src, int dst, Double bandwidthGbS,
      // preflight
      double minLinkPeakGbS,
      // seq_knee and seq (seq-scaling)
      Integer prefillKneeLength, double prefillUsPerTokenBefore, double prefillUsPerTokenAt,
      Integer decodeKneeLength, double decodeTokensPerSBefore, double decodeTokensPerSAt,
      Integer memoryLimitLength, Integer longestMeasuredLength, String status, String reason,
      // derived by the report: scaling and the link judgement
      Double speedup, Double linkPeakGbS, double peakFraction, Boolean suspect,
      // a correctness check's verdict
      Boolean correct) {
    public Values {
      kind = text(kind);
      model = text(model);
      schedule = text(schedule);
      operation = text(operation);
      method = text(method);
      direction = text(direction);
      status = text(status);
      reason = text(reason);
    }

    /** {@code m} of {@code org/m}, with {@code (tiny)} for a tiny configuration: how sentences name the model. */
    public String modelName() {
      return model.substring(model.lastIndexOf('/') + 1) + (tiny ? " (tiny)" : "");
    }

    public long bytesOrZero() {
      return bytes == null ? 0 : bytes;
    }

    public boolean isSuspect() {
      return suspect != null && suspect;
    }

    private static String text(String s) {
      return s == null ? "" : s;
    }
  }

  private final String kind;
  private final ObjectNode json;
  private Values values;

  Row(String kind, ObjectNode json) {
    this.kind = kind;
    this.json = json;
  }

  /** The record's fields in the order results show them. */
  public ObjectNode json() {
    return json;
  }

  /** The same fields typed, read once per change. */
  public synchronized Values values() {
    if (values == null) {
      values = read(json);
      // a field of the wrong type (text where a number belongs): the row keeps its kind and no rule reads it
      if (values == null) values = read(Json.MAPPER.createObjectNode().put("kind", kind));
    }
    return values;
  }

  /** The record's kind ({@code collective}, {@code tp}, ...), as the worker named it. */
  public String kind() {
    return values().kind();
  }

  private static Values read(ObjectNode fields) {
    try {
      return Json.MAPPER.treeToValue(fields, Values.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      return null;
    }
  }

  synchronized Row put(String field, double value) {
    json.put(field, value);
    values = null;
    return this;
  }

  synchronized Row put(String field, boolean value) {
    json.put(field, value);
    values = null;
    return this;
  }
}
