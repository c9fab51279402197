package io.genbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.result.CaseResult;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The input of every view: one run's environment and its case results.
 *
 * <p>The environment is the run's {@code environment.json} as read; views use these keys where present (all
 * optional, strings unless noted): {@code genbench_version}, {@code git_commit}, {@code backend}, {@code weights},
 * {@code device}, {@code host} (or {@code hostname}), {@code java}, {@code os}, {@code started_at},
 * {@code finished_at}, and {@code settings} (an object with {@code warmup_iterations}, {@code min_iterations},
 * {@code max_iterations}, {@code min_duration_s}, numbers).
 *
 * @param runId the run id (the run directory's name)
 * @param environment {@code environment.json}, or null where the run has none
 * @param results the case results in plan order
 * @param priceCatalogNote where the prices came from, in words (e.g. the bundled catalog's description), or null
 * @param interference cases of a run on several GPUs measured again alone (empty when none)
 * @param series case id → the case's raw measured series, for the charts; a case without an entry has none
 * @param unfinished the planned cases without a result, in plan order (empty for a complete run)
 * @param timeShare where the run's wall time went, from its events; null where not read
 */
public record RunReport(String runId, JsonNode environment, List<CaseResult> results, String priceCatalogNote,
    List<Interference> interference, Map<String, CaseSeries> series, List<Unfinished> unfinished, TimeShare timeShare) {

  /** A report without the time breakdown. */
  public RunReport(String runId, JsonNode environment, List<CaseResult> results, String priceCatalogNote,
      List<Interference> interference, Map<String, CaseSeries> series, List<Unfinished> unfinished) {
    this(runId, environment, results, priceCatalogNote, interference, series, unfinished, null);
  }

  /**
   * The time breakdown the views show: only for runs whose every case says how long it held its worker (the
   * {@code timing} event), so runs recorded before it rebuild as they were; null otherwise.
   */
  public TimeShare shownTimeShare() {
    return timeShare != null && timeShare.timed() && timeShare.known() ? timeShare : null;
  }

  /** A complete run's report (every planned case has a result). */
  public RunReport(String runId, JsonNode environment, List<CaseResult> results, String priceCatalogNote,
      List<Interference> interference, Map<String, CaseSeries> series) {
    this(runId, environment, results, priceCatalogNote, interference, series, List.of());
  }

  /**
   * A planned case without a result: {@link #INTERRUPTED} (its events.jsonl exists but does not end the case: killed,
   * or still running) or {@link #NOT_RUN} (no events at all: not reached, or deleted).
   */
  public record Unfinished(String caseId, String state) {}

  public static final String INTERRUPTED = "interrupted";
  public static final String NOT_RUN = "not run";

  /** True when every planned case has a result. */
  public boolean complete() {
    return unfinished.isEmpty();
  }

  /** One sentence for an incomplete run: how many planned cases lack a result and in which states; null when complete. */
  public String incompleteNote() {
    if (complete()) return null;
    long interrupted = unfinished.stream().filter(u -> INTERRUPTED.equals(u.state())).count();
    long notRun = unfinished.size() - interrupted;
    List<String> parts = new java.util.ArrayList<>();
    if (interrupted > 0) parts.add(interrupted + " interrupted");
    if (notRun > 0) parts.add(notRun + " not run");
    return "The run is incomplete: " + unfinished.size() + " of " + (results.size() + unfinished.size())
        + " planned cases have no result (" + String.join(", ", parts) + "); finish it with genbench run --resume RUN_DIR.";
  }

  /** A report without interference checks or raw series (charts that need series say they have no data). */
  public RunReport(String runId, JsonNode environment, List<CaseResult> results, String priceCatalogNote) {
    this(runId, environment, results, priceCatalogNote, List.of(), Map.of());
  }

  /** A report without raw series. */
  public RunReport(String runId, JsonNode environment, List<CaseResult> results, String priceCatalogNote,
      List<Interference> interference) {
    this(runId, environment, results, priceCatalogNote, interference, Map.of());
  }

  /**
   * One case of a run on several GPUs ({@code genbench run --gpus}) measured again alone on the host after the run:
   * how much its neighbours changed its e2e median.
   *
   * @param caseId the case
   * @param gpus where it ran beside the others
   * @param neighboursMax the most other workers that ran beside it
   * @param besideMedianMs its e2e median in the run, beside neighbours
   * @param aloneMedianMs its e2e median alone
   * @param ratio beside / alone: above 1, the neighbours slowed it
   * @param ciLow lower end of the ratio's confidence interval
   * @param ciHigh upper end
   * @param level the interval's level
   * @param change {@code slower}, {@code faster} or {@code no significant difference} beside neighbours
   * @param method how the interval was drawn
   */
  public record Interference(String caseId, String gpus, int neighboursMax, double besideMedianMs, double aloneMedianMs,
      double ratio, double ciLow, double ciHigh, double level, String change, String method) {}

  /** The cost formula every report states. */
  public static final String COST_FORMULA = "cost_1000_images = hourly_price × (1000 × time_per_image_s + model_load_s) / 3600";

  public RunReport {
    Objects.requireNonNull(runId, "runId");
    results = List.copyOf(Objects.requireNonNull(results, "results"));
    interference = interference == null ? List.of() : List.copyOf(interference);
    series = series == null ? Map.of() : Map.copyOf(series);
    unfinished = unfinished == null ? List.of() : List.copyOf(unfinished);
  }

  /** The case's raw series, {@link CaseSeries#EMPTY} when it has none. */
  public CaseSeries series(String caseId) {
    return series.getOrDefault(caseId, CaseSeries.EMPTY);
  }

  /** A text value of the environment, or null where it is missing, null or empty. */
  public String environmentValue(String key) {
    if (environment == null) return null;
    JsonNode n = environment.get(key);
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    String text = n.isValueNode() ? n.asText() : n.toString();
    return text.isEmpty() ? null : text;
  }

  /** The backend: the environment's, else the distinct backends of the cases joined with ", "; null if unknown. */
  public String backend() {
    return fromEnvironmentOrCases("backend", CaseResult::backend);
  }

  /** The weights ({@code random} or {@code local}): the environment's, else the cases'; null if unknown. */
  public String weights() {
    return fromEnvironmentOrCases("weights", CaseResult::weights);
  }

  /** The device: the environment's, else the cases'; null if unknown. */
  public String device() {
    return fromEnvironmentOrCases("device", CaseResult::device);
  }

  /** The cases that produced a measurement. */
  public List<CaseResult> successes() {
    return results.stream().filter(r -> r.outcome() instanceof CaseResult.Measured).toList();
  }

  private String fromEnvironmentOrCases(String key, java.util.function.Function<CaseResult, String> field) {
    String v = environmentValue(key);
    if (v != null) return v;
    String joined = results.stream().map(field).filter(Objects::nonNull).distinct().collect(Collectors.joining(", "));
    return joined.isEmpty() ? null : joined;
  }
}
