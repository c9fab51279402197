package io.genbench.report;

import static io.genbench.report.Figures.NA;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.analyze.LatencySummary;
import io.genbench.analyze.Verdict;
import io.genbench.result.CaseResult;
import io.genbench.result.CaseStatus;
import io.genbench.result.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code report.md}: the run for people, the answer first. Sections, in order: title with the run id; Summary
 * ({@link Overview}: a bold warning when the figures come from the CPU stand-in or random weights, whether the run is
 * incomplete, statuses, verdicts with their reasons, the cheapest and the fastest valid configuration, what is priced
 * but not measured, what does not fit, what was skipped, what to do next); Results (one row per case: e2e P50 / P95 /
 * P99, the requested instance beside where it was measured); Cases without a result (an incomplete run); Charts
 * ({@link Charts}, as images beside the report); Cost analysis (1000 images), as the seed's report: lowest spot cost
 * and fastest valid configuration, averages, spot volatility; Failures and out-of-memory cells (every non-SUCCESS case
 * with its log tail); Validity (every verdict that is not VALID, with its notes); then the detail: Measurement
 * conditions, Neighbour interference, Where the wall time went ({@link TimeShare}; runs with timing events), Per-step latency (image cases), LLM latency (LLM cases), GPU telemetry; Method
 * (warm-up, iteration rule, timing, the statistics definition, the cost formula, where prices came from); Environment
 * last. Numbers follow {@link Figures}.
 */
public final class MarkdownReport {
  /** Lines of a failed case's log shown in the report, at most. */
  public static final int LOG_TAIL_LINES = 20;

  private static final java.util.regex.Pattern MARKUP = java.util.regex.Pattern.compile("[\\\\`*_\\[\\]<>|#~]");
  private static final java.util.regex.Pattern UNESCAPED_PIPE = java.util.regex.Pattern.compile("(?<!\\\\)\\|");
  private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile("[A-Za-z0-9._:/@+=, ()-]*");

  private MarkdownReport() {}

  /**
   * A user-supplied string (case id, model, instance type, region, path, failure message ...) as Markdown text: every
   * character Markdown or HTML would act on is backslash-escaped, line breaks become spaces and the start cannot open a
   * list or heading, so {@code <script>}, a pipe or a backtick is shown, never interpreted.
   */
  static String text(String s) {
    if (s == null) return NA;
    String escaped = MARKUP.matcher(s.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ')).replaceAll(m -> java.util.regex.Matcher.quoteReplacement("\\" + m.group()));
    return escaped.lines().map(l -> l.matches("\\s*[-+=].*") ? "\\" + l.stripLeading() : l.replaceFirst("^(\\s*\\d+)([.)])", "$1\\\\$2"))
        .collect(Collectors.joining("\n"));
  }

  /** A user-supplied identifier in a code span when it is plain, else as escaped {@link #text}. */
  static String code(String s) {
    return s != null && PLAIN.matcher(s).matches() && !s.isBlank() ? "`" + s + "`" : text(s);
  }

  /** Every planned case without a result, with its state: an incomplete run says what it lacks. */
  private static void unfinished(StringBuilder md, RunReport report) {
    if (report.complete()) return;
    md.append("## Cases without a result\n\n");
    table(md, List.of("case", "state"), report.unfinished().stream().map(u -> List.of(code(u.caseId()), u.state())).toList());
    md.append("\n");
  }

  /** The report with its charts drawn now (see {@link Charts#of}). */
  public static String render(RunReport report) {
    return render(report, Charts.of(report));
  }

  /** The report with charts already drawn: they are embedded as {@code charts/<name>.svg}, which the caller writes. */
  public static String render(RunReport report, Charts charts) {
    StringBuilder md = new StringBuilder();
    md.append("# genbench run ").append(code(report.runId())).append("\n\n");
    summary(md, report);
    results(md, report);
    unfinished(md, report);
    charts(md, charts);
    cost(md, report);
    failures(md, report);
    validity(md, report);
    conditions(md, report);
    neighbours(md, report);
    timeShare(md, report);
    perStep(md, report);
    llm(md, report);
    telemetry(md, report);
    method(md, report);
    environment(md, report);
    return io.genbench.Printable.text(md.toString().stripTrailing() + "\n"); // ids and worker messages: no control character reaches a terminal
  }

  /** The answer first: see {@link Overview}. */
  private static void summary(StringBuilder md, RunReport report) {
    md.append("## Summary\n\n");
    String warning = warning(report);
    if (warning != null) md.append(warning).append("\n\n");
    if (!report.complete()) md.append("**").append(text(report.incompleteNote())).append("**\n\n");
    Overview.Style style = Overview.Style.MARKDOWN;
    List<CaseResult> results = report.results();
    String verdicts = Overview.verdicts(results);
    md.append("- ").append(Overview.statuses(results)).append(".\n");
    if (!verdicts.isEmpty()) md.append("- Verdicts of the ").append(report.successes().size()).append(" successful")
        .append(report.successes().size() == 1 ? " case: " : " cases: ").append(verdicts).append(".\n");
    for (String reason : Overview.reasons(results, style)) md.append("- ").append(reason).append(".\n");
    if (!report.successes().isEmpty()) {
      CostAnalysis a = CostAnalysis.of(results);
      String cheapest = Overview.cheapest(a, style);
      String fastest = Overview.fastest(a, style);
      if (a.lowestSpot().isEmpty() && cheapest.equals(fastest)) {
        md.append("- Cheapest and fastest valid: ").append(cheapest).append(".\n"); // one reason for both: said once
      } else {
        md.append("- Cheapest valid (spot): ").append(cheapest).append(".\n");
        md.append("- Fastest valid: ").append(fastest).append(".\n");
      }
    }
    String elsewhere = pricedElsewhereNote(results);
    if (elsewhere != null) md.append("- ").append(text(elsewhere)).append('\n');
    String once = measuredOnceNote(results);
    if (once != null) md.append("- ").append(text(once)).append('\n');
    String overflow = MemoryFit.summary(results);
    if (overflow != null) md.append("- **").append(text(overflow)).append("**\n");
    String skipped = skippedNote(results);
    if (skipped != null) md.append("- ").append(text(skipped)).append('\n');
    List<String> next = Overview.next(report);
    if (next.isEmpty()) {
      md.append("- Next: nothing to fix").append(results.isEmpty() ? "" : ": every case that ran succeeded with a valid verdict").append(".\n");
    }
    for (String step : next) md.append("- Next: ").append(text(step)).append(".\n");
    md.append('\n');
  }

  /**
   * What the run skipped and why, for the top of every view, e.g. {@code Skipped, not failures: 2 cases the backend
   * cannot run (the onnx-cpu backend runs float32 only): a, b.}; null when nothing was skipped.
   */
  public static String skippedNote(List<CaseResult> results) {
    Map<String, List<String>> byReason = new java.util.LinkedHashMap<>();
    for (CaseResult r : results) {
      if (!(r.outcome() instanceof CaseResult.Failed f) || f.status() != CaseStatus.UNSUPPORTED) continue;
      String why = f.failure().message() == null ? "no reason recorded" : f.failure().message().strip().lines().findFirst().orElse("");
      byReason.computeIfAbsent(why, k -> new ArrayList<>()).add(r.caseId());
    }
    if (byReason.isEmpty()) return null;
    return "Skipped, not failures: " + byReason.entrySet().stream().map(e -> e.getValue().size()
        + (e.getValue().size() == 1 ? " case" : " cases") + " that cannot run here (" + e.getKey() + "): " + String.join(", ", e.getValue()))
        .collect(java.util.stream.Collectors.joining("; ")) + ".";
  }

  /** The warning shown when the figures are not a real model's speed; null when none applies. */
  static String warning(RunReport report) {
    String backend = report.backend();
    String weights = report.weights();
    if (backend != null && backend.contains("onnx-cpu")) {
      return "**backend: " + text(backend) + ", weights: " + text(Objects.requireNonNullElse(weights, "unknown"))
          + " — a small stand-in UNet of the Stable Diffusion architecture, run by ONNX Runtime on the CPU: the timings"
          + " are real measurements of that stand-in, not a real SD model's speed.**";
    }
    if (weights != null && weights.contains("random")) {
      return "**weights: " + text(weights) + " — the models ran with random weights: timings reflect the architecture, the"
          + " generated images are noise.**";
    }
    return null;
  }

  private static void environment(StringBuilder md, RunReport report) {
    md.append("## Environment\n\n");
    table(md, List.of("", ""), List.of(
        List.of("genbench version", env(report, "genbench_version")),
        List.of("git commit", env(report, "git_commit")),
        List.of("backend", text(Figures.orNa(report.backend()))),
        List.of("weights", text(Figures.orNa(report.weights()))),
        List.of("device", text(Figures.orNa(report.device()))),
        List.of("host", report.environmentValue("host") != null ? env(report, "host") : env(report, "hostname")),
        List.of("Java", env(report, "java")),
        List.of("OS", env(report, "os")),
        List.of("started", env(report, "started_at")),
        List.of("finished", env(report, "finished_at"))));
    md.append('\n');
  }

  private static String knobsLabel(java.util.Map<String, Object> knobs) {
    StringBuilder sb = new StringBuilder();
    knobs.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(text(k)).append(' ').append(text(String.valueOf(v))));
    return sb.toString();
  }

  private static void method(StringBuilder md, RunReport report) {
    md.append("## Method\n\n");
    String warmups = distinct(report.results(),
        r -> r.outcome() instanceof CaseResult.Measured m ? Integer.toString(m.run().warmupIterations()) : null);
    md.append("- Warm-up: never measured; it runs at least the plan's warmup_iterations and goes on until timing is"
        + " steady (the last 3 iterations each within the plan's steady_tolerance of their median, and that median"
        + " within it of the fastest median of any earlier window of 3), bounded by max_warmup_iterations and max_warmup_s. Warm-up iterations run: ")
        .append(warmups.isEmpty() ? NA : warmups).append(" (per case in Measurement conditions).\n");
    md.append("- Iterations: ").append(iterationRule(report)).append('\n');
    md.append("- Timing: each phase of every measured request (text encode, each denoising step, decode) and the whole"
        + " request are timed: with CUDA events on a GPU (one synchronisation at the end of the request, none between"
        + " steps), with a monotonic nanosecond clock on the CPU; latencies are integer nanoseconds, shown here in"
        + " milliseconds.\n");
    String knobs = distinct(report.results(), r -> r.knobs() == null ? null : knobsLabel(r.knobs()));
    if (!knobs.isEmpty()) md.append("- Knobs as run: ").append(knobs).append(".\n");
    md.append("- Statistics: ").append(LatencySummary.DEFINITION).append(".\n");
    md.append("- Cost: `").append(RunReport.COST_FORMULA).append("`, for spot, on-demand and the lifecycle actually"
        + " used; the model load is paid once per 1000 images.\n");
    md.append("- Prices: ").append(prices(report)).append("\n\n");
  }

  private static String iterationRule(RunReport report) {
    JsonNode s = report.environment() == null ? null : report.environment().get("settings");
    if (s != null && s.isObject() && s.has("min_iterations")) {
      return String.format(Locale.ROOT, "at least %d measured iterations, continuing until %s s have passed, at most %d.",
          s.path("min_iterations").asInt(), trim(s.path("min_duration_s").asDouble()), s.path("max_iterations").asInt());
    }
    return "at least min_iterations measured iterations, continuing until min_duration_s has passed, at most"
        + " max_iterations (the plan's settings); each case's count is the n column of Results.";
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String prices(RunReport report) {
    String sources = distinct(report.results(), r -> r.price() == null ? null
        : text(Figures.orNa(r.price().source())) + ", as of " + text(Figures.orNa(r.price().asOf()))
            + (r.price().region() == null ? "" : " (" + text(r.price().region()) + ")"));
    StringBuilder s = new StringBuilder(sources.isEmpty() ? "no case has a price; costs are N/A." : sources + ".");
    if (report.priceCatalogNote() != null) s.append(' ').append(report.priceCatalogNote());
    return s.toString();
  }

  private static void results(StringBuilder md, RunReport report) {
    md.append("## Results\n\n");
    if (report.results().isEmpty()) {
      md.append("The run has no cases.\n\n");
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (CaseResult r : report.results()) {
      LatencySummary e2e = latency(r, "e2e");
      rows.add(List.of(code(r.caseId()), text(Figures.orNa(r.modelLabel())), text(Figures.orNa(r.requestedInstance())),
          text(measuredOn(r)) + (isTwin(r) ? ", measured once as " + code(r.where().measuredAs()) : ""),
          Integer.toString(r.batchSize()), Integer.toString(r.inferenceSteps()),
          text(Figures.orNa(r.resolution())), text(Figures.orNa(r.precision())), status(r),
          e2e == null ? NA : Integer.toString(e2e.n()), e2e == null ? NA : Figures.millis(e2e.p50Ns()),
          e2e == null ? NA : Figures.millis(e2e.p95Ns()), e2e == null ? NA : Figures.millis(e2e.p99Ns()),
          Figures.seconds(r.timePerImageS()), throughput(r), memory(r), r.verdict() == null ? NA : r.verdict().label()));
    }
    // P95 is the figure genbench best and the Pareto chart rank by
    table(md, List.of("case", "model", "instance", "measured on", "batch", "steps", "resolution", "precision", "status", "n",
        "e2e P50 ms", "e2e P95 ms", "e2e P99 ms", "s/image", "throughput", "peak memory", "verdict"), rows);
    md.append('\n');
  }

  /**
   * The charts as images beside the report, one line each (report.html inlines the same SVG), then one line for each
   * chart not drawn.
   */
  private static void charts(StringBuilder md, Charts charts) {
    if (charts.isEmpty()) return;
    md.append("## Charts\n\n");
    if (!charts.drawn().isEmpty()) {
      md.append("Drawn from the measured figures when this report was built: the SVG files in charts/ beside it, which"
          + " `genbench report` draws again from the events.\n\n");
    }
    for (var chart : charts.drawn()) md.append("![").append(text(chart.title())).append("](").append(chart.file()).append(")\n\n");
    for (String note : charts.notes()) md.append("- ").append(text(note)).append('\n');
    if (!charts.notes().isEmpty()) md.append('\n');
  }

  /**
   * What decided each figure besides the model: warm-up, trials, how busy the GPU kept, MFU / MBU, the memory figure's
   * meaning, and where the time was measured against where it is priced.
   */
  /**
   * What the worker counted for a case, e.g. {@code `opt` 1.364e+12 FLOPs per request (prefill 1.331e+12), 2.74e+09 per
   * generated token (torch.utils.flop_counter)}; null where nothing was counted.
   */
  private static String flopsCounted(CaseResult r) {
    CaseResult.Efficiency e = r.efficiency();
    if (e == null) return null;
    String counted = switch (r.workload()) {
      case Workload.Diffusion d -> e.flopsPerRequest() == null ? null : flops(e.flopsPerRequest()) + " FLOPs per request";
      case Workload.Llm l -> e.flopsPerRequest() == null
          ? e.flopsPerToken() == null ? null : flops(e.flopsPerToken()) + " FLOPs per generated token (prefill not counted)"
          : flops(e.flopsPerRequest()) + " FLOPs per request (prefill " + flops(e.prefillFlops()) + "), "
              + flops(e.flopsPerToken()) + " per generated token";
    };
    return counted == null ? null : code(r.caseId()) + " " + counted + " (" + e.method() + ")";
  }

  private static String flops(Double value) {
    return value == null ? NA : String.format(Locale.ROOT, "%.4g", value);
  }

  private static void conditions(StringBuilder md, RunReport report) {
    List<CaseResult> cases = report.successes();
    if (cases.isEmpty()) return;
    md.append("## Measurement conditions\n\n");
    md.append("Warm-up: iterations run and whether timing was steady before measuring. Trials: each in a fresh worker,"
        + " interleaved; medians of e2e per trial, their spread, and a 95 % confidence interval of the case's median (t"
        + " over the trial medians). GPU busy: the GPU kernel time of a step (the union of its kernels, from one"
        + " profiled iteration outside the measured ones) over the measured median step (below 90 %: host-bound), beside NVML's utilisation, which"
        + " counts any kernel running in a ~100 ms window and so reads high even when the GPU idles between launches."
        + " MFU: model FLOPs per request / mean e2e / the GPU's dense peak for the precision (peak below); MBU (LLM"
        + " decode): bytes read per step / mean TPOT / memory bandwidth. Memory: the case's own peak, named by kind.\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (CaseResult r : cases) {
      CaseResult.Warmup w = r.warmup();
      CaseResult.Trials t = r.trials();
      CaseResult.GpuBusy b = r.gpuBusy();
      CaseResult.Efficiency e = r.efficiency();
      rows.add(List.of(code(r.caseId()),
          w == null ? r.warmupIterations() + " (steadiness not recorded)" : w.iterations() + (w.steady() ? ", steady" : ", NOT steady"),
          t == null ? "1" : t.n() + ": " + String.join(" / ", t.e2eMediansMs().stream().map(x -> Figures.fixed(x, 1)).toList())
              + " ms, spread " + Figures.fixed(t.spreadPct(), 1) + " %, CI " + Figures.fixed(t.ciLowMs(), 1) + "–"
              + Figures.fixed(t.ciHighMs(), 1) + " ms" + (t.disagree() ? " (disagree)" : ""),
          b == null || b.fraction() == null ? NA : Figures.fixed(100 * b.fraction(), 1) + " % (kernels " + Figures.fixed(b.stepKernelMs(), 2)
              + " of " + Figures.fixed(b.stepWallMs(), 2) + " ms/step" + (b.trialHigh() == null ? ")"
                  : "; least busy trial, up to " + Figures.fixed(100 * b.trialHigh(), 1) + " %)"),
          r.telemetry() == null ? NA : Figures.fixed(r.telemetry().gpuUtilMeanPct(), 1) + " %",
          e == null || e.mfuPct() == null ? NA : Figures.fixed(e.mfuPct(), 1) + " %",
          e == null || e.mbuPct() == null ? NA : Figures.fixed(e.mbuPct(), 1) + " %",
          r.memory() == null ? NA : r.memory().gpuMemoryGb() == null ? memory(r) : memory(r) + " " + r.memory().kind(),
          text(r.where() == null ? Figures.orNa(r.actualInstance()) : r.where().measuredOn() + besideNote(r.where().beside())),
          r.verdict() == null ? NA : r.verdict().label()));
    }
    List<String> header = new ArrayList<>(List.of("case", "warm-up", "trials", "GPU busy", "NVML util", "MFU", "MBU", "memory",
        "measured on", "verdict"));
    // runs measured to a steady median also say how steady it got and what else used the machine (older runs: as before)
    if (cases.stream().anyMatch(r -> r.verdict() != null && (r.verdict().median() != null || r.verdict().load() != null))) {
      header.addAll(List.of("median 95 % CI", "machine load"));
      for (int i = 0; i < cases.size(); i++) {
        var v = cases.get(i).verdict();
        List<String> row = new ArrayList<>(rows.get(i));
        row.add(v == null || v.median() == null ? NA : "±" + Figures.fixed(v.median().halfWidthPct(), 1) + " % (target ±"
            + Figures.fixed(v.median().targetPct(), 1) + " %)");
        row.add(v == null || v.load() == null ? NA : text(v.load().describe()));
        rows.set(i, row);
      }
    }
    table(md, header, rows);
    String peaks = distinct(cases, r -> r.efficiency() == null ? null : r.efficiency().peak());
    String flops = distinct(cases, MarkdownReport::flopsCounted);
    if (!flops.isEmpty()) md.append("\nFLOPs counted: ").append(flops).append(".\n");
    if (!peaks.isEmpty()) md.append("\nPeaks used: ").append(peaks).append(". A GPU not in genbench's table, and float32"
        + " (PyTorch mixes TF32 convolutions and FP32 matrix multiplications), get no MFU rather than a guessed one.\n");
    md.append('\n');
  }

  /** ", GPU 1, beside 1 other worker" for a case of a run on several GPUs; empty otherwise. */
  static String besideNote(CaseResult.Beside b) {
    if (b == null) return "";
    return ", GPU " + b.gpus() + (b.hadNeighbours() ? ", beside " + (b.neighboursMin() == b.neighboursMax() ? ""
        : b.neighboursMin() + "–") + b.neighboursMax() + " other worker" + (b.neighboursMax() == 1 ? "" : "s") : ", alone");
  }

  /**
   * Where the wall time went ({@link TimeShare}): the run's share in measured iterations and the other parts, then per
   * case the GPU time held, its parts and the median's interval reached. Runs with timing events only.
   */
  private static void timeShare(StringBuilder md, RunReport report) {
    TimeShare t = report.shownTimeShare();
    if (t == null) return;
    md.append("## Where the wall time went\n\n");
    md.append(text(t.line())).append(".\n\n");
    md.append(t.gpu() ? "GPU time" : "Time").append(" held per case (seconds, all trials): worker start (to its hello), model build, warm-up and"
        + " measured iterations (their e2e), other (flop count, graph capture, the profiled iteration, gaps); the run's"
        + " other adds what no case held. Median ±: the 95 % interval of the median e2e over every measured sample"
        + " (order statistics), as % of the median; trials ±: the t interval over the trial medians.\n\n");
    table(md, t.header(), t.rows(MarkdownReport::code));
    md.append("\n");
  }

  /**
   * A run on several GPUs ({@code genbench run --gpus}): which cases were measured beside other workers, and the
   * interference check (cases measured again alone) with its confidence interval. Nothing for a one-worker run.
   */
  private static void neighbours(StringBuilder md, RunReport report) {
    List<CaseResult> beside = report.successes().stream()
        .filter(r -> r.where() != null && r.where().beside() != null && r.where().beside().hadNeighbours()).toList();
    if (beside.isEmpty() && report.interference().isEmpty()) return;
    int workers = beside.stream().mapToInt(r -> r.where().beside().workers()).max().orElse(0);
    md.append("## Neighbour interference\n\n");
    md.append(beside.size()).append(" of ").append(report.successes().size()).append(" cases were measured while other"
        + " workers of this run used the host's other GPUs (").append(workers).append(" workers, one per GPU): their"
        + " figures include whatever the neighbours cost them (shared CPU cores, PCIe and host memory bandwidth, power"
        + " and thermal limits). `measured on` above names each case's GPU.\n\n");
    if (report.interference().isEmpty()) {
      md.append("No case was measured again alone (--interference-cases 0, or none finished), so the interference is"
          + " not measured.\n\n");
      return;
    }
    md.append("Measured again alone on the host after the run, the same case:\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (RunReport.Interference i : report.interference()) {
      rows.add(List.of(code(i.caseId()), text(i.gpus()), Integer.toString(i.neighboursMax()), Figures.fixed(i.besideMedianMs(), 2),
          Figures.fixed(i.aloneMedianMs(), 2), Figures.fixed(i.ratio(), 3) + " [" + Figures.fixed(i.ciLow(), 3) + ", "
              + Figures.fixed(i.ciHigh(), 3) + "]", i.change() + " beside neighbours"));
    }
    table(md, List.of("case", "GPU", "neighbours (most)", "e2e p50 beside, ms", "e2e p50 alone, ms",
        "beside / alone [" + Figures.fixed(100 * report.interference().getFirst().level(), 0) + " % CI]", "verdict"), rows);
    md.append("\nInterval: ").append(text(report.interference().getFirst().method())).append(".\n\n");
  }

  /** The note shown once when the embedded stand-in ran every case: model and instance type cannot change its work. */
  static String standInNote(RunReport report) {
    String backend = report.backend();
    if (backend == null || !backend.contains("onnx-cpu")) return null;
    return "On the embedded onnx-cpu backend every case ran the same stand-in UNet on this machine's CPU: the model"
        + " (SD 2.1, SDXL) and the instance type do not change its work, so cases that differ only in them measured the"
        + " same thing, and their differences are noise. Only batch size, steps and resolution change the work.";
  }

  /** The note shown when costs apply time measured on one machine to another's price; null when none does. */
  static String pricedElsewhereNote(List<CaseResult> results) {
    // a case that never ran (unsupported) has no cost to qualify
    List<CaseResult> elsewhere = results.stream().filter(r -> r.status() != CaseStatus.UNSUPPORTED && r.where() != null
        && r.where().pricedElsewhere()).toList();
    if (elsewhere.isEmpty()) return null;
    String pairs = distinct(elsewhere, r -> r.where().pricedAs() + "'s price applied to the time measured on " + measuredOn(r));
    return "Costs are priced, not measured: " + pairs + ". They say what those instances would cost at the speed measured"
        + " here, not a measurement of them. Give --actual-instance when this machine is such an instance.";
  }

  /** How many cases ran, e.g. {@code 8 measured, 8 priced from them}; null when every case was measured itself. */
  public static String measuredCount(List<CaseResult> results) {
    long twins = results.stream().filter(MarkdownReport::isTwin).count();
    if (twins == 0) return null;
    return (results.size() - twins) + " measured, " + twins + " priced from them (the same work on this machine)";
  }

  /**
   * The note shown when cases were recorded from a case they are the same work as (they differ only in the instance type
   * they are priced as) instead of running; null when every case was measured itself.
   */
  static String measuredOnceNote(List<CaseResult> results) {
    List<CaseResult> twins = results.stream().filter(MarkdownReport::isTwin).toList();
    if (twins.isEmpty()) return null;
    List<String> pairs = twins.stream().map(r -> r.caseId() + " measured once as " + r.where().measuredAs()).toList();
    int shown = 4;
    return "Measured once: " + twins.size() + " of " + results.size() + " cases were not run again: on this machine each is"
        + " the same work as a case that differs only in the instance type it is priced as, so its figures are that case's"
        + " measurement, priced as its own instance type (" + String.join("; ", pairs.subList(0, Math.min(shown, pairs.size())))
        + (pairs.size() > shown ? "; and " + (pairs.size() - shown) + " more" : "") + ").";
  }

  private static boolean isTwin(CaseResult r) {
    return r.where() != null && r.where().measuredAs() != null;
  }

  private static void perStep(StringBuilder md, RunReport report) {
    List<CaseResult> cases = report.successes().stream().filter(r -> latency(r, "per_step") != null).toList();
    if (cases.isEmpty()) return;
    md.append("## Per-step latency\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (CaseResult r : cases) {
      LatencySummary step = latency(r, "per_step");
      rows.add(List.of(code(r.caseId()), Integer.toString(r.inferenceSteps()), Figures.millis(step.p50Ns()),
          Figures.millis(step.p90Ns()), Figures.millis(step.p99Ns()), Figures.millis(step.meanNs()),
          meanMillis(r, "text_encode"), meanMillis(r, "decode")));
    }
    table(md, List.of("case", "steps", "step P50 ms", "step P90 ms", "step P99 ms", "step mean ms", "text encode mean ms",
        "decode mean ms"), rows);
    md.append('\n');
  }

  private static void llm(StringBuilder md, RunReport report) {
    List<CaseResult> cases = report.successes().stream()
        .filter(r -> latency(r, "ttft") != null || latency(r, "tpot") != null).toList();
    if (cases.isEmpty()) return;
    md.append("## LLM latency\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (CaseResult r : cases) {
      LatencySummary ttft = latency(r, "ttft");
      LatencySummary tpot = latency(r, "tpot");
      rows.add(List.of(code(r.caseId()), ttft == null ? NA : Figures.millis(ttft.p50Ns()),
          ttft == null ? NA : Figures.millis(ttft.p90Ns()), ttft == null ? NA : Figures.millis(ttft.p99Ns()),
          tpot == null ? NA : Figures.millis(tpot.meanNs()), tpot == null ? NA : Figures.millis(tpot.p50Ns()),
          tpot == null ? NA : Figures.millis(tpot.p99Ns()), Figures.fixed(r.tokensPerS(), 1),
          r.cost() instanceof CaseResult.TokenCost t ? Figures.money(t.cost1MTokensSpotUsd()) : NA,
          r.cost() instanceof CaseResult.TokenCost t ? Figures.money(t.cost1MTokensOndemandUsd()) : NA));
    }
    table(md, List.of("case", "TTFT P50 ms", "TTFT P90 ms", "TTFT P99 ms", "TPOT mean ms", "TPOT P50 ms", "TPOT P99 ms",
        "tokens/s", "$/1M tokens spot", "$/1M tokens on-demand"), rows);
    md.append('\n');
  }

  private static void telemetry(StringBuilder md, RunReport report) {
    List<CaseResult> cases = report.successes().stream().filter(r -> r.telemetry() != null).toList();
    if (cases.isEmpty()) return;
    md.append("## GPU telemetry\n\n");
    md.append("Sampled through NVML (or nvidia-smi) every ~100 ms; the figures cover the measured iterations only, not the"
        + " model build or warm-up. Energy per image is the mean board power × the measured time / the images produced.\n\n");
    List<List<String>> rows = new ArrayList<>();
    for (CaseResult r : cases) {
      CaseResult.Telemetry t = r.telemetry();
      rows.add(List.of(code(r.caseId()), Integer.toString(t.samples()), Figures.fixed(t.gpuUtilMeanPct(), 1),
          Figures.fixed(t.memoryUsedMaxPct(), 1), Figures.fixed(t.powerMeanW(), 1), Figures.fixed(t.energyPerImageJ(), 1)));
    }
    table(md, List.of("case", "samples", "GPU util mean %", "GPU memory max %", "power mean W", "energy per image J"), rows);
    md.append('\n');
  }

  private static void cost(StringBuilder md, RunReport report) {
    md.append("## Cost analysis (1000 images)\n\n");
    CostAnalysis a = CostAnalysis.of(report.results());
    if (a.successes() == 0) {
      md.append("No case succeeded: there is nothing to cost.\n\n");
      return;
    }
    md.append("The lowest and the fastest are picked as `genbench best` picks: among the cases with a VALID or HOST-BOUND"
        + " verdict that fit the instance they are priced as.\n\n");
    String standIn = standInNote(report);
    if (standIn != null) md.append(standIn).append("\n\n");
    md.append("Money is rounded once, when computed, to 4 significant digits; every view prints the same digits, and"
        + " the saving is the difference of the two costs printed.\n\n");
    a.lowestSpot().ifPresentOrElse(r -> {
      md.append("### Lowest spot cost: ").append(code(r.caseId())).append("\n\n");
      md.append("- spot cost: ").append(usd(CostAnalysis.spot(r))).append('\n');
      md.append("- on-demand cost: ").append(usd(CostAnalysis.ondemand(r))).append('\n');
      md.append("- saving: ").append(usd(CostAnalysis.saving(r))).append(" (")
          .append(Figures.percent(r.cost().spotSavingsPct())).append("%)\n");
      md.append("- instance: ").append(text(instance(r, null))).append('\n');
      md.append("- performance: ").append(Figures.seconds(r.timePerImageS())).append(" s/image\n\n");
    }, () -> md.append("Lowest spot cost: ").append(Overview.cheapest(a, Overview.Style.MARKDOWN)).append(".\n\n"));
    a.fastest().ifPresentOrElse(r -> {
      md.append("### Fastest: ").append(code(r.caseId())).append("\n\n");
      md.append("- performance: ").append(Figures.seconds(r.timePerImageS())).append(" s/image\n");
      md.append("- spot cost: ").append(usd(CostAnalysis.spot(r))).append('\n');
      md.append("- on-demand cost: ").append(usd(CostAnalysis.ondemand(r))).append('\n');
      md.append("- instance: ").append(text(instance(r, null))).append("\n\n");
    }, () -> md.append("Fastest: ").append(Overview.fastest(a, Overview.Style.MARKDOWN)).append(".\n\n"));
    md.append("Average cost per 1000 images over the successful cases: spot ").append(usd(a.averageSpotUsd()))
        .append(", on-demand ").append(usd(a.averageOndemandUsd())).append(".\n");
    md.append("Average spot saving: ").append(a.averageSpotSavingsPct() == null ? NA : Figures.percent(a.averageSpotSavingsPct()) + "%")
        .append(".\n\n");
    md.append("Spot prices move every few minutes: actual spot costs may differ by ±30%.\n\n");
  }

  private static void failures(StringBuilder md, RunReport report) {
    md.append("## Failures and out-of-memory cells\n\n");
    // skipped cases are said at the top of the report: they are not failures
    List<CaseResult> failed = report.results().stream()
        .filter(r -> r.outcome() instanceof CaseResult.Failed f && f.status() != CaseStatus.UNSUPPORTED).toList();
    if (failed.isEmpty()) {
      md.append(report.results().stream().anyMatch(r -> r.status() == CaseStatus.UNSUPPORTED)
          ? "None: every case that could run here succeeded.\n\n" : "None: every case succeeded.\n\n");
      return;
    }
    for (CaseResult r : failed) {
      if (!(r.outcome() instanceof CaseResult.Failed failure)) continue; // the filter above kept failed cases only
      CaseResult.Failure f = failure.failure();
      md.append("### ").append(code(r.caseId())).append(": ").append(failure.status().name());
      if (f.kind() != null) {
        md.append(" (").append(f.kind().label()).append(", ").append(f.kind().isFinding() ? "a finding" : "a failure").append(')');
      }
      md.append("\n\n");
      if (isTwin(r)) md.append("Not run: measured once as ").append(code(r.where().measuredAs())).append(", whose failure this is.\n\n");
      md.append(f.message() == null ? "No failure message was recorded." : text(f.message().strip())).append("\n\n");
      if (!f.logTail().isEmpty()) {
        List<String> tail = f.logTail().subList(Math.max(0, f.logTail().size() - LOG_TAIL_LINES), f.logTail().size());
        String fence = fence(tail);
        md.append(fence).append("text\n");
        tail.forEach(line -> md.append(line).append('\n'));
        md.append(fence).append("\n\n");
      }
    }
  }

  private static void validity(StringBuilder md, RunReport report) {
    md.append("## Validity\n\n");
    List<CaseResult> judged = report.successes().stream().filter(r -> r.verdict() != null).toList();
    if (judged.isEmpty()) {
      md.append("No successful case to judge.\n\n");
      return;
    }
    List<CaseResult> invalid = judged.stream().filter(r -> !r.verdict().valid() || r.verdict().hostBound()).toList();
    if (invalid.isEmpty()) {
      md.append(String.format(Locale.ROOT, "Every successful case is VALID (at least %d measured iterations, e2e standard"
          + " deviation at most %.0f%% of the mean).\n\n", Verdict.MIN_SAMPLES, 100 * Verdict.MAX_CV));
      return;
    }
    for (CaseResult r : invalid) {
      md.append("- ").append(code(r.caseId())).append(": ").append(r.verdict().label()).append(" — ")
          .append(String.join("; ", r.verdict().notes())).append('\n');
    }
    md.append('\n');
  }

  static LatencySummary latency(CaseResult r, String phase) {
    Map<String, LatencySummary> latency = r.latency();
    return latency == null ? null : latency.get(phase);
  }

  static String throughput(CaseResult r) {
    return switch (r.run().rates()) {
      case CaseResult.ImageRates i -> i.imagesPerS() == null ? NA : Figures.fixed(i.imagesPerS(), 3) + " img/s";
      case CaseResult.TokenRates t -> t.tokensPerS() == null ? NA : Figures.fixed(t.tokensPerS(), 1) + " tok/s";
    };
  }

  static String memory(CaseResult r) {
    if (r.status() == CaseStatus.OOM_SKIPPED) return "OOM";
    CaseResult.Memory m = r.memory();
    if (m == null) return NA;
    Double gpu = m.gpuMemoryGb();
    // a CPU figure says what it is (the case's rss-delta, or an old result's process peak); a GPU figure is reserved bytes
    return gpu != null ? Figures.gb(gpu) + " GB" : Figures.gb(m.peakReservedBytes() / 1e9) + " GB " + m.kind();
  }

  static String usd(java.math.BigDecimal value) {
    return value == null ? NA : "$" + Figures.money(value);
  }

  /**
   * The one phrase every view (console, report.md, report.html) uses for the instance a cost belongs to: the instance
   * type, the lifecycle of the price quoted (omitted when null), and, when the time was measured on another machine,
   * what it is: {@code g5.xlarge on-demand (priced, not measured: timed on local Intel Xeon)}.
   */
  static String instance(CaseResult r, String lifecycle) {
    String life = lifecycle == null ? "" : " " + ("ondemand".equals(lifecycle) ? "on-demand" : lifecycle);
    String once = isTwin(r) ? "measured once as " + r.where().measuredAs() : null;
    if (r.where() != null && r.where().pricedElsewhere()) {
      return r.where().pricedAs() + life + " (priced, not measured: timed on " + measuredOn(r) + (once == null ? "" : ", " + once) + ")";
    }
    return Figures.orNa(r.actualInstance()) + life + (once == null ? "" : " (" + once + ")");
  }

  /** Where a case's time was measured: the detected or declared instance type, or {@code local <device>}. */
  static String measuredOn(CaseResult r) {
    String on = r.where() != null && r.where().measuredOn() != null ? r.where().measuredOn() : r.actualInstance();
    return on == null ? NA : on.replaceFirst("^local \\((.*)\\)$", "local $1");
  }

  private static String status(CaseResult r) {
    return switch (r.outcome()) {
      case CaseResult.Measured m -> CaseStatus.SUCCESS.name();
      case CaseResult.Failed f -> f.failure().kind() == null ? f.status().name()
          : f.status().name() + " (" + f.failure().kind().label() + ")";
    };
  }

  private static String meanMillis(CaseResult r, String phase) {
    LatencySummary s = latency(r, phase);
    return s == null ? NA : Figures.millis(s.meanNs());
  }

  private static String env(RunReport report, String key) {
    return text(Figures.orNa(report.environmentValue(key)));
  }

  private static String distinct(List<CaseResult> cases, Function<CaseResult, String> f) {
    return cases.stream().map(f).filter(Objects::nonNull).distinct().collect(Collectors.joining("; "));
  }

  /** A code fence longer than any run of backticks in the content. */
  private static String fence(List<String> lines) {
    int longest = 0;
    for (String line : lines) {
      int run = 0;
      for (char c : line.toCharArray()) {
        run = c == '`' ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
    }
    return "`".repeat(Math.max(3, longest + 1));
  }

  private static void table(StringBuilder md, List<String> header, List<List<String>> rows) {
    md.append(row(header)).append(row(header.stream().map(h -> "---").toList()));
    rows.forEach(r -> md.append(row(r)));
  }

  private static String row(List<String> cells) {
    return cells.stream().map(c -> UNESCAPED_PIPE.matcher(c).replaceAll("\\\\|").replace("\r", " ").replace("\n", " "))
        .collect(Collectors.joining(" | ", "| ", " |\n"));
  }
}
