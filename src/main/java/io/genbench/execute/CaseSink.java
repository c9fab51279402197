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

  /**
   * The {@code hello} of a worker kept from an earlier call, handed again at the start of this call so every case it
   * runs carries its device facts; no worker was started for this call. By default an ordinary event.
   */
  default void helloAgain(WorkerEvent.Hello hello, String line) {
    event(hello, line);
  }

  /** One line of the worker's free-text log, attributed to the case running when it was written (null: none yet). */
  void log(String caseId, String line);
}
