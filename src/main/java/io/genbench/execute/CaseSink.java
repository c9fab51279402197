package io.genbench.execute;

import io.genbench.wire.WorkerEvent;

/** Where an executor delivers what it observes. Called from one thread at a time. */
public interface CaseSink {
  /** One event; every event but {@code hello} names its case. */
  void event(WorkerEvent event);

  /**
   * One event, with the exact line the worker wrote: a sink that stores events may store the line as it came rather
   * than serialising the parsed event again.
   */
  default void event(WorkerEvent event, String line) {
    event(event);
  }

  /** One line of the worker's free-text log, attributed to the case running when it was written (null: none yet). */
  void log(String caseId, String line);
}
