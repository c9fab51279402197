package io.genbench.execute;

import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.List;

/** Collects what an executor reports. */
public class RecordingSink implements CaseSink {
  public final List<WorkerEvent> events = new ArrayList<>();
  public final List<String> logs = java.util.Collections.synchronizedList(new ArrayList<>()); // read by test threads
  /** The worker's lines as they came, where the executor handed them (a kept worker's replayed hello included). */
  public final List<String> lines = new ArrayList<>();
  /** The hellos handed again by a kept worker ({@link CaseSink#helloAgain}), also in {@link #events}. */
  public int hellosAgain;

  @Override
  public void event(WorkerEvent event) {
    events.add(event);
  }

  @Override
  public void event(WorkerEvent event, String line) {
    if (line != null) lines.add(line);
    event(event);
  }

  @Override
  public void helloAgain(WorkerEvent.Hello hello, String line) {
    hellosAgain++;
    event(hello, line);
  }

  @Override
  public void log(String caseId, String line) {
    logs.add(caseId + ": " + line);
  }

  public <T extends WorkerEvent> List<T> ofType(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
