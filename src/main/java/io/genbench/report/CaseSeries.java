package io.genbench.report;

import io.genbench.wire.WorkerEvent;
import java.util.List;

/**
 * One case's raw measured series, as its {@code events.jsonl} holds them: what the charts draw (the tables use the
 * case's {@link io.genbench.result.CaseResult}).
 *
 * @param samples the measured requests (never warm-up), every trial pooled, in the order they ran
 * @param telemetry the GPU telemetry windows in the order they were sampled (each trial's clock starts at its own
 *     worker's start); empty where none was sampled
 */
public record CaseSeries(List<WorkerEvent.Sample> samples, List<WorkerEvent.Telemetry> telemetry) {
  public static final CaseSeries EMPTY = new CaseSeries(List.of(), List.of());

  public CaseSeries {
    samples = List.copyOf(samples);
    telemetry = List.copyOf(telemetry);
  }
}
