package io.genbench.report;

import static io.genbench.report.Figures.NA;

import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.result.Workload;
import java.util.List;

/**
 * {@code summary.csv}: the seed's 20 columns, exactly, one row per case in plan order. Every other figure goes to
 * {@link ResultsCsv} and {@link ResultsJson}.
 *
 * <p>Cells: {@code N/A} where a value does not exist; {@code gpu_memory_gb} is {@code OOM} for an
 * {@code OOM_SKIPPED} case (as the seed writes it) and {@code N/A} on CPU; {@code model} is the short label
 * ({@code SD2.1}, {@code SDXL}). Numbers follow {@link Figures}: seconds with 3 decimals, GB with 2, hourly prices as
 * given (at least 3 decimals), costs with 2 decimals (4 significant digits below $0.01), never a decimal comma.
 * Fields are quoted per RFC 4180 where needed; lines end with {@code \n}.
 */
public final class SummaryCsv {
  /** The header, exactly as the seed writes it. */
  public static final String HEADER = "test_name,model,requested_instance,actual_instance,lifecycle,zone,batch_size,"
      + "inference_steps,resolution,precision,inference_time_s,time_per_image_s,gpu_memory_gb,spot_price_usd,"
      + "ondemand_price_usd,actual_price_usd,cost_1000_images_spot_usd,cost_1000_images_ondemand_usd,"
      + "cost_1000_images_actual_usd,status";

  private SummaryCsv() {}

  public static String render(List<CaseResult> results) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    for (CaseResult r : results) out.append(Figures.csvLine(row(r)));
    return out.toString();
  }

  static List<String> row(CaseResult r) {
    CaseResult.Price p = r.price();
    // summary.csv has the image columns only: an LLM case's cost is in results.csv
    CaseResult.ImageCost c = r.cost() instanceof CaseResult.ImageCost i ? i : null;
    return List.of(
        r.caseId(),
        Figures.orNa(r.modelLabel()),
        Figures.orNa(r.requestedInstance()),
        Figures.orNa(r.actualInstance()),
        Figures.orNa(r.lifecycle()),
        Figures.orNa(r.zone()),
        Integer.toString(r.batchSize()),
        switch (r.workload()) {
          case Workload.Diffusion d -> Integer.toString(d.steps());
          case Workload.Llm l -> NA; // no denoising steps
        },
        Figures.orNa(r.resolution()),
        Figures.orNa(r.precision()),
        Figures.seconds(r.inferenceTimeS()),
        Figures.seconds(r.timePerImageS()),
        gpuMemory(r),
        p == null ? NA : Figures.price(p.spotUsdPerHour()),
        p == null ? NA : Figures.price(p.ondemandUsdPerHour()),
        p == null ? NA : Figures.price(p.actualUsdPerHour()),
        c == null ? NA : Figures.money(c.cost1000ImagesSpotUsd()),
        c == null ? NA : Figures.money(c.cost1000ImagesOndemandUsd()),
        c == null ? NA : Figures.money(c.cost1000ImagesActualUsd()),
        r.status() == null ? NA : r.status().name());
  }

  private static String gpuMemory(CaseResult r) {
    if (r.status() == CaseStatus.OOM_SKIPPED) return "OOM";
    return r.memory() == null ? NA : Figures.gb(r.memory().gpuMemoryGb());
  }
}
