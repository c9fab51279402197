package io.genbench.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.genbench.Json;
import java.util.List;

/**
 * The job file a worker runs (protocol/PROTOCOL.md): the protocol version and its cases, in order.
 *
 * @param protocol the protocol version, {@link #PROTOCOL}
 * @param cases the cases, run in this order
 */
public record WorkerJob(int protocol, List<WorkerCase> cases) {
  /** The protocol version this controller speaks. */
  public static final int PROTOCOL = 1;

  public WorkerJob {
    cases = List.copyOf(cases);
  }

  public static WorkerJob of(List<WorkerCase> cases) {
    return new WorkerJob(PROTOCOL, cases);
  }

  /** The job as its file holds it: indented JSON. */
  public String toJson() {
    try {
      return Json.PRETTY.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
