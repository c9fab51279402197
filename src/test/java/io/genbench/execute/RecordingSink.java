package io.genbench.execute;

import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.List;

/** Collects what an executor reports. */
public class RecordingSink implements CaseSink {
  public final List<WorkerEvent> events = new ArrayList<>();
  public final List<String> logs = java.util.Collections.synchronizedList(new ArrayList<>()); // read by test threads

  @Override
  public void event(WorkerEvent event) {
    events.add(event);
  }

  @Override
  public void log(String caseId, String line) {
    logs.add(caseId + ": " + line);
  }

  public <T extends WorkerEvent> List<T> ofType(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
