package io.genbench.execute;

/** Where an executor delivers what it observes. Called from one thread at a time. */
public interface CaseSink {
  /** One event; every event but {@code hello} names its case. */
  void event(WorkerEvent event);

  /** One line of the worker's free-text log, attributed to the case running when it was written (null: none yet). */
  void log(String caseId, String line);
}
