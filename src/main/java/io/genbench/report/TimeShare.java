package io.genbench.report;

import io.genbench.analyze.MedianInterval;
import io.genbench.analyze.TrialStats;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a run's wall time went, from its cases' raw events: per case the GPU time (on the CPU: the time) it held its
 * worker (the {@code timing} events the runner writes, summed over trials) split into worker start (process start to {@code hello}), model build
 * ({@code loaded.load_ns}, 0 where the case reused a model an earlier case built), warm-up (the {@code warmup} iterations' e2e), measured iterations (the {@code sample}s'
 * e2e) and other (the rest of what the case held: flop counting, CUDA-graph capture, the profiled iteration, memory
 * readings, the gaps between iterations); and for the run the GPU time it had, {@code wall × GPUs}, with the same
 * parts and, as other, everything no case held too (the controller's planning and views, the interference check,
 * a GPU waiting for the last group of another). Beside each case the width its median reached: the 95 % interval of
 * the median over every measured sample (order statistics, {@link MedianInterval}) and, with trials, the t interval
 * over the trial medians ({@link TrialStats}).
 *
 * <p>Event logs from before {@code timing} existed ({@link #timed()} false) do not say how long a case held its
 * worker: worker start and gaps are then told apart from nothing and are reported together as other.
 *
 * @param wallNs the run's wall time (environment.json's {@code started_at} to {@code finished_at}), or null when it is
 *     not known (a run not finished, or resumed: its wall time holds the pause)
 * @param gpus the workers that ran at once (the {@code slot} events' count; 1 without them)
 * @param cases every case with events, in plan order
 * @param gpu the cases ran on a GPU (a worker's {@code hello} said {@code cuda}): held time is GPU-seconds; else (the
 *     embedded ONNX backend, CPU torch) it is seconds a worker held, and the labels say so
 */
public record TimeShare(Long wallNs, int gpus, List<CaseTime> cases, boolean gpu) {

  public TimeShare {
    if (gpus < 1) throw new IllegalArgumentException("gpus must be >= 1, was " + gpus);
    if (wallNs != null && wallNs < 0) throw new IllegalArgumentException("wallNs must be >= 0, was " + wallNs);
    cases = List.copyOf(cases);
  }

  /** A breakdown of GPU cases. */
  public TimeShare(Long wallNs, int gpus, List<CaseTime> cases) {
    this(wallNs, gpus, cases, true);
  }

  /**
   * One case's time, over all its trials. {@code heldNs} and {@code startNs} are 0 where the log has no {@code timing}
   * event ({@code timed} false).
   *
   * @param caseId the case
   * @param trials the trials that ran (the {@code hello}s or {@code timing}s seen, at least 1)
   * @param timed every trial has a {@code timing} event
   * @param heldNs how long the case held its worker(s), the sum of its {@code timing.wall_ns}: its GPU time
   * @param startNs the part of {@code heldNs} before its workers said {@code hello}
   * @param buildNs model builds and loads ({@code loaded.load_ns}; 0 where the model was reused)
   * @param warmupNs warm-up iterations' e2e
   * @param warmups warm-up iterations
   * @param measuredNs measured iterations' e2e
   * @param samples measured iterations
   * @param failed the case failed
   * @param median the 95 % interval of the median e2e over every measured sample, null with fewer than 6
   * @param trialCiPct with trials: half the width of the 95 % t interval of the case's median over the trial medians,
   *     % of the median; else null
   * @param targetCiPct the width the stop rule aimed at (± %), null in logs from before it
   */
  public record CaseTime(String caseId, int trials, boolean timed, long heldNs, long startNs, long buildNs, long warmupNs,
      int warmups, long measuredNs, int samples, boolean failed, MedianInterval median, Double trialCiPct,
      Double targetCiPct) {

    /** What the case held beyond its parts; 0 when untimed or when the parts add up to more (clocks of two processes). */
    public long otherNs() {
      return timed ? Math.max(0, heldNs - startNs - buildNs - warmupNs - measuredNs) : 0;
    }

    /** The interval's half-width, ± % of the median; null without one. */
    public Double medianCiPct() {
      return median == null ? null : 100 * median.halfWidth();
    }

    /** Reads one case's events (every trial, as events.jsonl holds them). */
    public static CaseTime of(String caseId, List<WorkerEvent> events) {
      int hellos = 0;
      int timings = 0;
      int trial = 1;
      long held = 0;
      long start = 0;
      long build = 0;
      long warmup = 0;
      int warmups = 0;
      boolean failed = false;
      Double target = null;
      Map<Integer, List<Long>> byTrial = new LinkedHashMap<>();
      for (WorkerEvent e : events) {
        switch (e) {
          case WorkerEvent.CaseSpec c -> target = c.spec() == null || c.spec().measure() == null ? null : c.spec().measure().targetCiPct();
          case WorkerEvent.Hello h -> hellos++;
          case WorkerEvent.Trial t -> trial = t.trial();
          case WorkerEvent.Timing t -> {
            timings++;
            held += t.wallNs();
            if (t.startNs() != null) start += t.startNs();
          }
          case WorkerEvent.Loaded l -> build += l.built() ? l.loadNs() : 0; // a reused model's load_ns is its first build's
          case WorkerEvent.Warmup w -> {
            warmup += w.e2eNs();
            warmups++;
          }
          case WorkerEvent.Sample s -> byTrial.computeIfAbsent(trial, k -> new ArrayList<>()).add(s.e2eNs());
          case WorkerEvent.Failed f -> failed = true;
          default -> { }
        }
      }
      long measured = 0;
      List<long[]> trials = new ArrayList<>();
      for (List<Long> t : byTrial.values()) {
        trials.add(t.stream().mapToLong(Long::longValue).toArray());
        for (long v : t) measured += v;
      }
      long[] all = trials.stream().flatMapToLong(java.util.Arrays::stream).toArray();
      MedianInterval median = MedianInterval.of(all);
      Double trialCi = null;
      if (trials.size() > 1) {
        TrialStats s = TrialStats.of(trials);
        if (s.ciLowNs() != null && s.medianNs() > 0) trialCi = 100 * (s.ciHighNs() - s.ciLowNs()) / 2 / s.medianNs();
      }
      int ran = Math.max(1, Math.max(hellos, timings));
      return new CaseTime(caseId, ran, timings > 0 && timings >= hellos, held, start, build, warmup, warmups, measured,
          all.length, failed, median, trialCi, target);
    }
  }

  /**
   * The run's breakdown from its cases' events; {@code workers} is read from their {@code slot} events. A case recorded
   * from the one measured for it ({@code measured_as}: the same work priced as another instance type) held no worker:
   * its copied events are left out, or the measured case's time would count twice.
   *
   * @param events case id → its events, in plan order
   * @param wallNs the run's wall time, null when unknown
   */
  public static TimeShare of(Map<String, List<WorkerEvent>> events, Long wallNs) {
    List<CaseTime> cases = new ArrayList<>();
    int gpus = 1;
    boolean gpu = false;
    for (var e : events.entrySet()) {
      if (e.getValue().stream().anyMatch(ev -> ev instanceof WorkerEvent.MeasuredAs)) continue;
      cases.add(CaseTime.of(e.getKey(), e.getValue()));
      for (WorkerEvent ev : e.getValue()) {
        if (ev instanceof WorkerEvent.Slot s) gpus = Math.max(gpus, s.workers());
        if (ev instanceof WorkerEvent.Hello h && "cuda".equals(h.device())) gpu = true;
      }
    }
    return new TimeShare(wallNs, gpus, cases, gpu);
  }

  /** Every case says how long it held its worker (runs recorded since the {@code timing} event). */
  public boolean timed() {
    return !cases.isEmpty() && cases.stream().allMatch(CaseTime::timed);
  }

  /** What the cases held, together. */
  public long heldNs() {
    return sum(CaseTime::heldNs);
  }

  /**
   * The GPU time the run had: {@code wall × gpus}; where the wall time is unknown (or shorter than what the cases held
   * on those GPUs: a clock step), what the cases held, or for an untimed run their measured parts.
   */
  public long capacityNs() {
    long parts = startNs() + buildNs() + warmupNs() + measuredNs();
    long floor = Math.max(heldNs(), parts);
    return wallNs == null ? floor : Math.max(wallNs * gpus, floor);
  }

  public long startNs() {
    return sum(CaseTime::startNs);
  }

  public long buildNs() {
    return sum(CaseTime::buildNs);
  }

  public long warmupNs() {
    return sum(CaseTime::warmupNs);
  }

  public long measuredNs() {
    return sum(CaseTime::measuredNs);
  }

  /** The rest of {@link #capacityNs()}: gaps in cases and time no case held (with untimed logs, worker start too). */
  public long otherNs() {
    return capacityNs() - startNs() - buildNs() - warmupNs() - measuredNs();
  }

  /** {@code part} as % of {@link #capacityNs()}. */
  public double pct(long part) {
    long c = capacityNs();
    return c == 0 ? 0 : 100.0 * part / c;
  }

  /** Whether there is anything to say: a case that ran and a base to share it out of. */
  public boolean known() {
    return capacityNs() > 0;
  }

  /** The unit of held time: {@code GPU-s} where the cases ran on a GPU, else {@code s} (a worker's seconds). */
  public String unit() {
    return gpu ? "GPU-s" : "s";
  }

  /**
   * One line, as {@code genbench run} ends: {@code measured 41 % of 167 s wall: start 9 %, builds 12 %, warm-up 18 %,
   * other 20 %} ({@code of 334 GPU-s (167 s wall × 2 GPUs)} on several GPUs, {@code of 334 worker-s (167 s wall × 2
   * workers)} on the CPU; untimed logs say start and gaps together).
   */
  public String line() {
    String base;
    if (wallNs == null) base = seconds(capacityNs()) + " " + unit() + " held by cases";
    else if (gpus > 1) base = seconds(capacityNs()) + (gpu ? " GPU-s (" : " worker-s (") + seconds(wallNs) + " s wall × " + gpus
        + (gpu ? " GPUs)" : " workers)");
    else base = seconds(capacityNs()) + " s wall";
    StringBuilder s = new StringBuilder("measured ").append(pct0(measuredNs())).append(" of ").append(base).append(": ");
    if (timed()) s.append("start ").append(pct0(startNs())).append(", ");
    s.append("builds ").append(pct0(buildNs())).append(", warm-up ").append(pct0(warmupNs())).append(", ");
    s.append(timed() ? "other " : "start and other ").append(pct0(otherNs()));
    return s.toString();
  }

  /** The per-case table's header, shared by the Markdown section and {@code --format time}. */
  List<String> header() {
    return List.of("case", unit() + " held", "start s", "build s", "warm-up s (n)", "measured s (n)", "other s",
        "measured %", "median ± (95 %)", "trials ±");
  }

  /** The per-case rows (untimed logs: held, start and other N/A). */
  List<List<String>> rows(java.util.function.Function<String, String> id) {
    List<List<String>> rows = new ArrayList<>();
    for (CaseTime c : cases) {
      String held = c.timed() ? fixed(c.heldNs(), 1) : Figures.NA;
      rows.add(List.of(id.apply(c.caseId()) + (c.failed() ? " (failed)" : ""), held, c.timed() ? fixed(c.startNs(), 1) : Figures.NA,
          fixed(c.buildNs(), 1), fixed(c.warmupNs(), 1) + " (" + c.warmups() + ")",
          fixed(c.measuredNs(), 1) + " (" + c.samples() + ")", c.timed() ? fixed(c.otherNs(), 1) : Figures.NA,
          c.timed() && c.heldNs() > 0 ? Figures.fixed(100.0 * c.measuredNs() / c.heldNs(), 0) : Figures.NA,
          c.medianCiPct() == null ? Figures.NA : Figures.fixed(c.medianCiPct(), 2) + " %"
              + (c.targetCiPct() == null ? "" : " (target " + Figures.fixed(c.targetCiPct(), 1) + " %)"),
          c.trialCiPct() == null ? Figures.NA : Figures.fixed(c.trialCiPct(), 2) + " %"));
    }
    return rows;
  }

  /** {@code genbench report RUN --format time}: the per-case table in plain text, then {@link #line()}. */
  public String text() {
    List<List<String>> rows = new ArrayList<>();
    List<String> header = header();
    rows.add(header);
    rows.addAll(rows(java.util.function.Function.identity()));
    int[] widths = new int[header.size()];
    for (List<String> row : rows) for (int i = 0; i < row.size(); i++) widths[i] = Math.max(widths[i], row.get(i).length());
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String pad = " ".repeat(widths[i] - row.get(i).length());
        if (i > 0) line.append("  ");
        line.append(i == 0 ? row.get(i) + pad : pad + row.get(i));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    out.append('\n');
    if (!timed()) out.append("(events from before the timing event: worker start and gaps are not told apart)\n");
    out.append(known() ? line() : "no case ran").append('\n');
    return io.genbench.Printable.text(out.toString());
  }

  /** The machine-readable form, {@code results.json}'s {@code time_share}: seconds (3 decimals) and percentages. */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("wall_s", wallNs == null ? null : round(wallNs / 1e9, 3));
    m.put("gpus", gpus);
    m.put("device", gpu ? "gpu" : "cpu"); // the *_gpu_s keys below hold a worker's seconds on the CPU
    m.put("timed", timed());
    m.put("capacity_gpu_s", round(capacityNs() / 1e9, 3));
    m.put("measured_pct", round(pct(measuredNs()), 1));
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("start_s", round(startNs() / 1e9, 3));
    parts.put("build_s", round(buildNs() / 1e9, 3));
    parts.put("warmup_s", round(warmupNs() / 1e9, 3));
    parts.put("measured_s", round(measuredNs() / 1e9, 3));
    parts.put("other_s", round(otherNs() / 1e9, 3));
    m.put("parts", parts);
    List<Map<String, Object>> cs = new ArrayList<>();
    for (CaseTime c : cases) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("case_id", c.caseId());
      j.put("trials", c.trials());
      j.put("failed", c.failed());
      j.put("held_gpu_s", c.timed() ? round(c.heldNs() / 1e9, 3) : null);
      j.put("start_s", c.timed() ? round(c.startNs() / 1e9, 3) : null);
      j.put("build_s", round(c.buildNs() / 1e9, 3));
      j.put("warmup_s", round(c.warmupNs() / 1e9, 3));
      j.put("warmup_iterations", c.warmups());
      j.put("measured_s", round(c.measuredNs() / 1e9, 3));
      j.put("measured_iterations", c.samples());
      j.put("other_s", c.timed() ? round(c.otherNs() / 1e9, 3) : null);
      j.put("median_ci_pct", c.medianCiPct() == null ? null : round(c.medianCiPct(), 3));
      j.put("trials_ci_pct", c.trialCiPct() == null ? null : round(c.trialCiPct(), 3));
      j.put("target_ci_pct", c.targetCiPct());
      cs.add(j);
    }
    m.put("cases", cs);
    return m;
  }

  private long sum(java.util.function.ToLongFunction<CaseTime> f) {
    return cases.stream().mapToLong(f).sum();
  }

  private static String seconds(long ns) {
    return String.format(Locale.ROOT, "%.0f", ns / 1e9);
  }

  private String pct0(long part) {
    return String.format(Locale.ROOT, "%.0f %%", pct(part));
  }

  private static String fixed(long ns, int decimals) {
    return Figures.fixed(ns / 1e9, decimals);
  }

  private static double round(double v, int decimals) {
    return java.math.BigDecimal.valueOf(v).setScale(decimals, java.math.RoundingMode.HALF_UP).doubleValue();
  }
}
