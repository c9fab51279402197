package io.genbench.suite;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;

/**
 * One line of a suite's event log, typed once by its {@code type} (protocol/schema/suite-events.schema.json): the
 * controller's {@code suite_plan}, {@code launch} and {@code exit} around each launch, and rank 0's {@code suite_start},
 * {@code record}, {@code suite_done} and {@code suite_failed}. Any other type ({@code hello}, events of later protocol
 * versions) is {@link Other}: kept in the raw log, read by nothing. A field left out reads as {@code 0}, {@code false}
 * or {@code ""}, as the report always read it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = SuiteEvent.Other.class)
@JsonSubTypes({
    @JsonSubTypes.Type(value = SuiteEvent.Plan.class, name = "suite_plan"),
    @JsonSubTypes.Type(value = SuiteEvent.Launch.class, name = "launch"),
    @JsonSubTypes.Type(value = SuiteEvent.Start.class, name = "suite_start"),
    @JsonSubTypes.Type(value = SuiteEvent.Record.class, name = "record"),
    @JsonSubTypes.Type(value = SuiteEvent.Done.class, name = "suite_done"),
    @JsonSubTypes.Type(value = SuiteEvent.Failed.class, name = "suite_failed"),
    @JsonSubTypes.Type(value = SuiteEvent.Exit.class, name = "exit")})
public sealed interface SuiteEvent {
  /** The set's name ({@code quick}, {@code comprehensive}) when the log holds a set of launches. */
  record Plan(String name) implements SuiteEvent {
    public Plan {
      name = text(name);
    }
  }

  /** The controller starts a launch of {@code processes} ranks. */
  record Launch(int processes) implements SuiteEvent {}

  /** Rank 0 starts an experiment; {@code config} as the worker received it (missing when the event had none). */
  record Start(String experiment, int worldSize, String backend, String device, boolean simulate, JsonNode config)
      implements SuiteEvent {
    public Start {
      experiment = text(experiment);
      backend = text(backend);
      device = text(device);
      if (config == null) config = MissingNode.getInstance();
    }
  }

  /** One measured record: its kind and the worker's data (an object; anything else reads as none). */
  record Record(String kind, JsonNode data) implements SuiteEvent {
    public Record {
      kind = text(kind);
    }
  }

  /** The experiment finished; {@code correct}: every correctness check held. */
  record Done(boolean correct) implements SuiteEvent {}

  /** The experiment failed on rank 0: a failure kind and the exception's message. */
  record Failed(String kind, String message) implements SuiteEvent {
    public Failed {
      kind = text(kind);
      message = text(message);
    }
  }

  /** The launcher exited ({@code timed_out}: genbench killed it after its timeout). */
  record Exit(int exitCode, boolean timedOut) implements SuiteEvent {}

  /** Any other type: {@code hello}, or an event of a later protocol version. */
  record Other() implements SuiteEvent {}

  /**
   * The event a parsed line holds; {@link Other} where its fields cannot be bound (a string where a number belongs),
   * so one odd line never stops a report.
   */
  static SuiteEvent of(ObjectNode line) {
    try {
      return Json.MAPPER.treeToValue(line, SuiteEvent.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      return new Other();
    }
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }
}
