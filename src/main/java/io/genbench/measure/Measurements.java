package io.genbench.measure;

import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent.Failed;
import io.genbench.wire.WorkerEvent.Flops;
import io.genbench.wire.WorkerEvent.Hello;
import io.genbench.wire.WorkerEvent.Loaded;
import io.genbench.wire.WorkerEvent.Memory;
import io.genbench.wire.WorkerEvent.Priced;
import io.genbench.wire.WorkerEvent.Profile;
import io.genbench.wire.WorkerEvent.Sample;
import io.genbench.wire.WorkerEvent.Telemetry;
import io.genbench.wire.WorkerEvent.Warmed;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case's events, sorted by type. The first {@code failed} wins: later ones are consequences. A case run as
 * several trials ({@code trial} events, each followed by that trial's worker events) has its samples pooled in
 * {@link #samples()} and kept apart in {@link #samplesByTrial()}; it is {@link #done()} when every trial ended.
 *
 * @param warmed the warm-up outcome of each trial (one entry without trials), in order
 * @param profiles trial number (1-based; 1 without trials) → the profiled iterations of that trial
 * @param flops the work count (the first one: it is the same in every trial)
 * @param samplesByTrial trial number (1-based; 1 without trials) → its measured samples
 * @param trials the number of trials the case was to run (1 without trials)
 * @param slots where each trial ran when several workers ran at once ({@code genbench run --gpus}); empty otherwise
 * @param loads the machine's load over each trial's measured iterations, in order; empty in logs from before it existed
 * @param measuredAs the case this one's events were copied from (a {@code measured_as} event: the same work, measured
 *     once), or null when it ran itself
 */
public record Measurements(WorkerCase spec, Hello hello, Priced price, Loaded loaded, int warmups, List<Sample> samples,
    Memory memory, List<Telemetry> telemetry, Failed failure, boolean done, List<Warmed> warmed, Map<Integer, List<Profile>> profiles,
    Flops flops, Map<Integer, List<Sample>> samplesByTrial, int trials, List<WorkerEvent.Slot> slots,
    List<WorkerEvent.Load> loads, String measuredAs) {

  public static Measurements of(List<WorkerEvent> events) {
    WorkerCase spec = null;
    Hello hello = null;
    Priced price = null;
    Loaded loaded = null;
    int warmups = 0;
    List<Sample> samples = new ArrayList<>();
    Memory memory = null;
    List<Telemetry> telemetry = new ArrayList<>();
    Failed failure = null;
    List<Warmed> warmed = new ArrayList<>();
    Map<Integer, List<Profile>> profiles = new LinkedHashMap<>();
    Flops flops = null;
    Map<Integer, List<Sample>> byTrial = new LinkedHashMap<>();
    int trial = 1;
    int trials = 1;
    int dones = 0;
    List<WorkerEvent.Slot> slots = new ArrayList<>();
    List<WorkerEvent.Load> loads = new ArrayList<>();
    String measuredAs = null;
    for (WorkerEvent e : events) {
      switch (e) {
        case WorkerEvent.CaseSpec c -> spec = c.spec();
        case Hello h -> hello = hello == null ? h : hello;
        case Priced p -> price = p;
        case Loaded l -> loaded = loaded == null ? l : loaded;
        case WorkerEvent.Trial t -> {
          trial = t.trial();
          trials = Math.max(trials, t.of());
        }
        case WorkerEvent.Slot s -> slots.add(s);
        case WorkerEvent.Timing t -> {
          // how long the case held its worker: read by the estimator of later runs, not a measurement of the case
        }
        case WorkerEvent.Warmup w -> warmups++;
        case Warmed w -> warmed.add(w);
        case Sample s -> {
          samples.add(s);
          byTrial.computeIfAbsent(trial, k -> new ArrayList<>()).add(s);
        }
        // the case's peak is the highest of its trials'
        case Memory m -> memory = memory == null || m.peakReservedBytes() > memory.peakReservedBytes() ? m : memory;
        case Telemetry t -> telemetry.add(t);
        case WorkerEvent.Load l -> loads.add(l);
        case Profile p -> profiles.computeIfAbsent(trial, k -> new ArrayList<>()).add(p);
        case Flops f -> flops = flops == null ? f : flops;
        case Failed f -> failure = failure == null ? f : failure;
        case WorkerEvent.Done d -> dones++;
        case WorkerEvent.MeasuredAs a -> measuredAs = a.measuredCase();
        case WorkerEvent.JobDone j -> { } // the executor's, never in a case's log
      }
    }
    Map<Integer, List<Sample>> frozen = new LinkedHashMap<>();
    byTrial.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    boolean done = dones >= trials || (failure != null && dones > 0);
    return new Measurements(spec, hello, price, loaded, warmups, List.copyOf(samples), memory, List.copyOf(telemetry), failure,
        done, List.copyOf(warmed), java.util.Collections.unmodifiableMap(profiles), flops, java.util.Collections.unmodifiableMap(frozen), trials,
        List.copyOf(slots), List.copyOf(loads), measuredAs);
  }
}
