package io.genbench.report;

import static io.genbench.report.Figures.NA;

import io.genbench.analyze.LatencySummary;
import io.genbench.result.CaseResult;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code results.csv}: every figure of every case, one row per case in plan order, columns in this fixed order:
 * <ol>
 *   <li>{@code case_id, status, failure_kind, failure_message, model, model_label, requested_instance, actual_instance,
 *       lifecycle, zone, batch_size, inference_steps, resolution, precision, backend, weights, device, model_load_s,
 *       warmup_iterations, iterations, images_per_request};
 *   <li>for each phase of {@link #PHASES} ({@code e2e, inference, per_step, text_encode, decode, ttft, tpot}):
 *       {@code <phase>_mean_ms, _std_ms, _min_ms, _max_ms, _p50_ms, _p90_ms, _p95_ms, _p99_ms, _n};
 *   <li>{@code inference_time_s, time_per_image_s, images_per_s, tokens_per_s};
 *   <li>{@code peak_allocated_bytes, peak_reserved_bytes, memory_device, gpu_memory_gb};
 *   <li>{@code telemetry_samples, gpu_util_mean_pct, gpu_memory_used_max_pct, power_mean_w, energy_per_image_j};
 *   <li>{@code spot_price_usd, ondemand_price_usd, actual_price_usd, price_source, price_as_of, price_region};
 *   <li>{@code cost_1000_images_spot_usd, cost_1000_images_ondemand_usd, cost_1000_images_actual_usd,
 *       cost_efficiency_spot_usd_per_s_per_image, cost_efficiency_ondemand_usd_per_s_per_image, spot_savings_pct};
 *   <li>{@code cost_1m_tokens_spot_usd, cost_1m_tokens_ondemand_usd, cost_1m_tokens_actual_usd} (LLM cases);
 *   <li>{@code verdict, verdict_notes} (notes joined with {@code "; "}).
 *   <li>{@code gpu, neighbours_max}: the GPU a case ran on and the most other workers beside it, in a run on several
 *       GPUs ({@code genbench run --gpus}); NA otherwise.
 * </ol>
 * {@code N/A} where a value does not exist. Milliseconds and seconds have 3 decimals, rates 3, GB 2, percentages
 * and watts 1; hourly prices as given; costs with 6 significant digits (plain notation); failure kind in its wire
 * spelling ({@code gpu_out_of_memory}). Never a decimal comma; RFC 4180 quoting; lines end with {@code \n}.
 */
public final class ResultsCsv {
  /** Latency phases, in column order. */
  public static final List<String> PHASES = List.of("e2e", "inference", "per_step", "text_encode", "decode", "ttft", "tpot");

  /** The header, one name per column. */
  public static final List<String> COLUMNS = columns();

  private ResultsCsv() {}

  public static String render(List<CaseResult> results) {
    StringBuilder out = new StringBuilder(Figures.csvLine(COLUMNS));
    for (CaseResult r : results) out.append(Figures.csvLine(row(r)));
    return out.toString();
  }

  private static List<String> columns() {
    List<String> c = new ArrayList<>(List.of("case_id", "status", "failure_kind", "failure_message", "model", "model_label",
        "requested_instance", "actual_instance", "lifecycle", "zone", "batch_size", "inference_steps", "resolution",
        "precision", "backend", "weights", "device", "model_load_s", "warmup_iterations", "iterations", "images_per_request"));
    for (String phase : PHASES) {
      for (String stat : List.of("mean", "std", "min", "max", "p50", "p90", "p95", "p99")) c.add(phase + "_" + stat + "_ms");
      c.add(phase + "_n");
    }
    c.addAll(List.of("inference_time_s", "time_per_image_s", "images_per_s", "tokens_per_s",
        "peak_allocated_bytes", "peak_reserved_bytes", "memory_device", "gpu_memory_gb",
        "telemetry_samples", "gpu_util_mean_pct", "gpu_memory_used_max_pct", "power_mean_w", "energy_per_image_j",
        "spot_price_usd", "ondemand_price_usd", "actual_price_usd", "price_source", "price_as_of", "price_region",
        "cost_1000_images_spot_usd", "cost_1000_images_ondemand_usd", "cost_1000_images_actual_usd",
        "cost_efficiency_spot_usd_per_s_per_image", "cost_efficiency_ondemand_usd_per_s_per_image", "spot_savings_pct",
        "cost_1m_tokens_spot_usd", "cost_1m_tokens_ondemand_usd", "cost_1m_tokens_actual_usd",
        "measured_on", "priced_as", "priced_elsewhere", "memory_kind", "warmup_steady", "gpu_busy_pct",
        "step_kernel_ms", "flops_per_request", "mfu_pct", "mbu_pct", "trials", "trial_e2e_medians_ms", "trial_spread_pct",
        "e2e_median_ci95_low_ms", "e2e_median_ci95_high_ms", "trials_disagree",
        "verdict", "verdict_notes", "gpu", "neighbours_max"));
    return List.copyOf(c);
  }

  static List<String> row(CaseResult r) {
    List<String> v = new ArrayList<>();
    v.add(r.caseId());
    v.add(r.status().name());
    switch (r.outcome()) {
      case CaseResult.Measured m -> v.addAll(List.of(NA, NA));
      case CaseResult.Failed f -> {
        v.add(f.failure().kind() == null ? NA : f.failure().kind().wire());
        v.add(Figures.orNa(f.failure().message()));
      }
    }
    v.add(Figures.orNa(r.model()));
    v.add(Figures.orNa(r.modelLabel()));
    v.add(Figures.orNa(r.requestedInstance()));
    v.add(Figures.orNa(r.actualInstance()));
    v.add(Figures.orNa(r.lifecycle()));
    v.add(Figures.orNa(r.zone()));
    v.add(Integer.toString(r.batchSize()));
    v.add(Integer.toString(r.inferenceSteps()));
    v.add(Figures.orNa(r.resolution()));
    v.add(Figures.orNa(r.precision()));
    v.add(Figures.orNa(r.backend()));
    v.add(Figures.orNa(r.weights()));
    v.add(Figures.orNa(r.device()));
    v.add(Figures.seconds(r.modelLoadS()));
    v.add(Integer.toString(r.warmupIterations()));
    v.add(Integer.toString(r.iterations()));
    v.add(Integer.toString(r.imagesPerRequest()));
    for (String phase : PHASES) {
      LatencySummary s = r.latency() == null ? null : r.latency().get(phase);
      if (s == null) {
        for (int i = 0; i < 9; i++) v.add(NA);
      } else {
        v.addAll(List.of(Figures.millis(s.meanNs()), Figures.millis(s.stdNs()), Figures.millis(s.minNs()),
            Figures.millis(s.maxNs()), Figures.millis(s.p50Ns()), Figures.millis(s.p90Ns()), Figures.millis(s.p95Ns()),
            Figures.millis(s.p99Ns()), Integer.toString(s.n())));
      }
    }
    v.add(Figures.seconds(r.inferenceTimeS()));
    switch (r.run().rates()) { // time per image, images/s, tokens/s: the other workload's columns N/A
      case CaseResult.ImageRates i -> v.addAll(List.of(Figures.seconds(i.timePerImageS()), Figures.fixed(i.imagesPerS(), 3), NA));
      case CaseResult.TokenRates t -> v.addAll(List.of(NA, NA, Figures.fixed(t.tokensPerS(), 3)));
    }
    CaseResult.Memory m = r.memory();
    v.add(m == null ? NA : Long.toString(m.peakAllocatedBytes()));
    v.add(m == null ? NA : Long.toString(m.peakReservedBytes()));
    v.add(m == null ? NA : Figures.orNa(m.device()));
    v.add(m == null ? NA : Figures.gb(m.gpuMemoryGb()));
    CaseResult.Telemetry t = r.telemetry();
    v.add(t == null ? NA : Integer.toString(t.samples()));
    v.add(t == null ? NA : Figures.percent(t.gpuUtilMeanPct()));
    v.add(t == null ? NA : Figures.percent(t.memoryUsedMaxPct()));
    v.add(t == null ? NA : Figures.fixed(t.powerMeanW(), 1));
    v.add(t == null ? NA : Figures.fixed(t.energyPerImageJ(), 3));
    CaseResult.Price p = r.price();
    v.add(p == null ? NA : Figures.price(p.spotUsdPerHour()));
    v.add(p == null ? NA : Figures.price(p.ondemandUsdPerHour()));
    v.add(p == null ? NA : Figures.price(p.actualUsdPerHour()));
    v.add(p == null ? NA : Figures.orNa(p.source()));
    v.add(p == null ? NA : Figures.orNa(p.asOf()));
    v.add(p == null ? NA : Figures.orNa(p.region()));
    // five image columns, the saving, three token columns: the other workload's columns N/A
    switch (r.cost()) {
      case null -> v.addAll(java.util.Collections.nCopies(9, NA));
      case CaseResult.ImageCost c -> {
        v.add(Figures.money(c.cost1000ImagesSpotUsd()));
        v.add(Figures.money(c.cost1000ImagesOndemandUsd()));
        v.add(Figures.money(c.cost1000ImagesActualUsd()));
        v.add(Figures.money(c.costEfficiencySpotUsdPerSPerImage()));
        v.add(Figures.money(c.costEfficiencyOndemandUsdPerSPerImage()));
        v.add(Figures.percent(c.spotSavingsPct()));
        v.addAll(java.util.Collections.nCopies(3, NA));
      }
      case CaseResult.TokenCost c -> {
        v.addAll(java.util.Collections.nCopies(5, NA));
        v.add(Figures.percent(c.spotSavingsPct()));
        v.add(Figures.money(c.cost1MTokensSpotUsd()));
        v.add(Figures.money(c.cost1MTokensOndemandUsd()));
        v.add(Figures.money(c.cost1MTokensActualUsd()));
      }
    }
    CaseResult.Where w = r.where();
    v.add(w == null ? Figures.orNa(r.actualInstance()) : w.measuredOn());
    v.add(w == null ? Figures.orNa(r.actualInstance()) : w.pricedAs());
    v.add(w == null ? NA : Boolean.toString(w.pricedElsewhere()));
    v.add(m == null ? NA : Figures.orNa(m.kind()));
    v.add(r.warmup() == null ? NA : Boolean.toString(r.warmup().steady()));
    CaseResult.GpuBusy b = r.gpuBusy();
    v.add(b == null || b.fraction() == null ? NA : Figures.fixed(100 * b.fraction(), 1));
    v.add(b == null ? NA : Figures.fixed(b.stepKernelMs(), 3));
    CaseResult.Efficiency e = r.efficiency();
    v.add(e == null || e.flopsPerRequest() == null ? NA : String.format(java.util.Locale.ROOT, "%.4g", e.flopsPerRequest()));
    v.add(e == null ? NA : Figures.fixed(e.mfuPct(), 1));
    v.add(e == null ? NA : Figures.fixed(e.mbuPct(), 1));
    CaseResult.Trials tr = r.trials();
    v.add(tr == null ? "1" : Integer.toString(tr.n()));
    v.add(tr == null ? NA : String.join(" ", tr.e2eMediansMs().stream().map(x -> Figures.fixed(x, 3)).toList()));
    v.add(tr == null ? NA : Figures.fixed(tr.spreadPct(), 2));
    v.add(tr == null ? NA : Figures.fixed(tr.ciLowMs(), 3));
    v.add(tr == null ? NA : Figures.fixed(tr.ciHighMs(), 3));
    v.add(tr == null ? NA : Boolean.toString(tr.disagree()));
    v.add(r.verdict() == null ? NA : r.verdict().label());
    v.add(r.verdict() == null || r.verdict().notes().isEmpty() ? NA : String.join("; ", r.verdict().notes()));
    CaseResult.Beside bs = w == null ? null : w.beside();
    v.add(bs == null ? NA : bs.gpus());
    v.add(bs == null ? NA : Integer.toString(bs.neighboursMax()));
    return v;
  }
}
