package io.genbench.execute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.plan.TestCase;
import io.genbench.store.RunDirectory;
import io.genbench.store.StorageError;
import io.genbench.wire.WorkerEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cases of a plan that compute the same thing on one local device: they differ only in what they are priced as (the
 * instance type; their name aside). {@code genbench run} on this machine measures the first of each such group in plan
 * order (the <em>measured case</em>) and records each other one (a <em>twin</em>) from it without running it: the twin
 * gets its own {@code case} and {@code price} events (priced as its own instance type), a {@code measured_as} event, and
 * then the measured case's events with {@code case_id} rewritten. Only for executors where every case runs on the same
 * device (the local worker, the embedded backend); on Kubernetes each instance type is a different machine.
 */
public final class Twins {
  /** No twins: every case is measured itself (a cluster run, or cases none of which share their work). */
  public static final Twins NONE = new Twins(Map.of(), Map.of());

  /** Twin id → the id of the case it is measured as. */
  private final Map<String, String> measuredAs;
  /** Measured case id → its twins, in plan order. */
  private final Map<String, List<TestCase>> twinsOf;

  private Twins(Map<String, String> measuredAs, Map<String, List<TestCase>> twinsOf) {
    this.measuredAs = measuredAs;
    this.twinsOf = twinsOf;
  }

  /**
   * The work a case computes on one device: the case with its name dropped and its instance type blanked, so two cases
   * are twins when every other field (model, precision, batch, workload, knobs, resources) is equal; a field added to
   * {@link TestCase} later takes part by itself.
   */
  static TestCase key(TestCase c) {
    return new TestCase(null, c.model(), "", c.precision(), c.batchSize(), c.workload(), c.knobs(), c.resources());
  }

  /** The twins among {@code cases} (in plan order; pass only cases that will run: none the backend skips). */
  public static Twins of(List<TestCase> cases) {
    Map<TestCase, TestCase> first = new LinkedHashMap<>();
    Map<String, String> measuredAs = new LinkedHashMap<>();
    Map<String, List<TestCase>> twinsOf = new LinkedHashMap<>();
    for (TestCase c : cases) {
      TestCase measured = first.putIfAbsent(key(c), c);
      if (measured == null) continue;
      measuredAs.put(c.id(), measured.id());
      twinsOf.computeIfAbsent(measured.id(), k -> new ArrayList<>()).add(c);
    }
    return new Twins(Map.copyOf(measuredAs), Map.copyOf(twinsOf));
  }

  /** True when {@code caseId} is a twin: recorded from its measured case, never run. */
  public boolean isTwin(String caseId) {
    return measuredAs.containsKey(caseId);
  }

  /** The case a twin is measured as, or null when {@code caseId} is not a twin. */
  public String measuredAs(String caseId) {
    return measuredAs.get(caseId);
  }

  /** The twins of a measured case, in plan order; empty when it has none. */
  public List<TestCase> of(String measuredId) {
    return twinsOf.getOrDefault(measuredId, List.of());
  }

  /** Ids of every twin. */
  public Set<String> ids() {
    return measuredAs.keySet();
  }

  /** How many cases are twins. */
  public int size() {
    return measuredAs.size();
  }

  /**
   * Writes a twin's events from its measured case's finished log: {@code spec} and {@code price} (the twin's own) in
   * place of the measured case's first {@code case} and {@code price} lines, the {@code measured_as} marker after them,
   * every other line with {@code case_id} rewritten (a line that is not JSON stays as it is, so the twin's log shows the
   * same damage), and the measured case's worker log after a line that says where it comes from. The event log is
   * written in one atomic step: a kill leaves none or all of it (an earlier attempt's log is kept aside, as a run's).
   */
  static void copy(RunDirectory dir, String measuredId, TestCase twin, WorkerEvent.CaseSpec spec, WorkerEvent.Priced price) {
    Path from = dir.caseDir(measuredId).resolve(RunDirectory.EVENTS);
    List<String> lines;
    List<String> log;
    try {
      lines = Files.readAllLines(from, StandardCharsets.UTF_8);
      Path workerLog = dir.caseDir(measuredId).resolve(RunDirectory.WORKER_LOG);
      log = Files.exists(workerLog) ? Files.readAllLines(workerLog, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new StorageError(e, from, "read the events of " + measuredId + " to record its twin " + twin.id());
    }
    StringBuilder out = new StringBuilder();
    boolean specDone = false;
    boolean priceDone = false;
    for (String line : lines) {
      if (line.isBlank()) continue;
      JsonNode tree;
      try {
        tree = Json.MAPPER.readTree(line);
      } catch (IOException e) {
        tree = null;
      }
      if (!(tree instanceof ObjectNode event)) {
        out.append(line).append('\n');
        continue;
      }
      String type = event.path("type").asText("");
      if (type.equals("case") && !specDone) {
        out.append(WorkerEvent.toLine(spec)).append('\n');
        specDone = true;
        continue;
      }
      if (type.equals("price")) {
        // the twin is priced as its own instance type: its own price event, once, then the marker
        if (!priceDone) {
          out.append(WorkerEvent.toLine(price)).append('\n');
          out.append(WorkerEvent.toLine(new WorkerEvent.MeasuredAs(twin.id(), measuredId))).append('\n');
          priceDone = true;
        }
        continue;
      }
      if (measuredId.equals(event.path("case_id").asText(null))) event.put("case_id", twin.id());
      out.append(event).append('\n');
    }
    if (!specDone || !priceDone) {
      throw new IllegalStateException("the events of " + measuredId + " lack their case or price event: cannot record "
          + twin.id() + " from them");
    }
    try (RunDirectory.EventLog started = dir.startCase(twin.id())) {
      started.log("genbench: not run: on this machine the same work as " + measuredId + ", measured once; its worker log follows");
      log.forEach(started::log);
    }
    dir.write(dir.caseDir(twin.id()).resolve(RunDirectory.EVENTS), out.toString());
  }
}
