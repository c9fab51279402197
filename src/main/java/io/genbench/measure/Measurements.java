package io.genbench.measure;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.execute.WorkerEvent;
import io.genbench.execute.WorkerEvent.Failed;
import io.genbench.execute.WorkerEvent.Hello;
import io.genbench.execute.WorkerEvent.Loaded;
import io.genbench.execute.WorkerEvent.Memory;
import io.genbench.execute.WorkerEvent.Priced;
import io.genbench.execute.WorkerEvent.Sample;
import io.genbench.execute.WorkerEvent.Telemetry;
import java.util.ArrayList;
import java.util.List;

/** One case's events, sorted by type. The first {@code failed} wins: later ones are consequences. */
public record Measurements(JsonNode spec, Hello hello, Priced price, Loaded loaded, int warmups, List<Sample> samples,
    Memory memory, List<Telemetry> telemetry, Failed failure, boolean done) {

  public static Measurements of(List<WorkerEvent> events) {
    JsonNode spec = null;
    Hello hello = null;
    Priced price = null;
    Loaded loaded = null;
    int warmups = 0;
    List<Sample> samples = new ArrayList<>();
    Memory memory = null;
    List<Telemetry> telemetry = new ArrayList<>();
    Failed failure = null;
    boolean done = false;
    for (WorkerEvent e : events) {
      switch (e) {
        case WorkerEvent.CaseSpec c -> spec = c.spec();
        case Hello h -> hello = h;
        case Priced p -> price = p;
        case Loaded l -> loaded = l;
        case WorkerEvent.Warmup w -> warmups++;
        case Sample s -> samples.add(s);
        case Memory m -> memory = m;
        case Telemetry t -> telemetry.add(t);
        case Failed f -> failure = failure == null ? f : failure;
        case WorkerEvent.Done d -> done = true;
      }
    }
    return new Measurements(spec, hello, price, loaded, warmups, List.copyOf(samples), memory, List.copyOf(telemetry), failure, done);
  }
}
