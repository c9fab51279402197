package io.genbench.load;

import io.genbench.capacity.LevelFacts;
import io.genbench.capacity.LevelFigures;
import io.genbench.capacity.LevelValidity;
import io.genbench.capacity.RequestTimes;
import io.genbench.capacity.Slo;
import io.genbench.capacity.SloCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A level as {@code io.genbench.capacity} judges it: its figures from the raw records reduced to
 * {@link RequestTimes}, whether the generator drove it as asked ({@link LevelValidity}, LoadGen's rules) and, with an
 * SLO, whether it met it. The generator's lag passed to validity is the fire lag (fired − scheduled): a wait for a
 * busy connection is the server's overload, which the SLO judges, not the generator's.
 */
public record LevelJudgement(String target, String label, LevelFigures figures, LevelValidity validity, SloCheck slo) {

  public static LevelJudgement of(LevelRun run, boolean tokens, Slo slo, LevelValidity.Rules rules) {
    LevelFigures figures = figures(run, tokens, slo);
    return new LevelJudgement("T" + (run.target() + 1), run.level().label(), figures, LevelValidity.judge(figures, rules),
        slo.isEmpty() ? null : slo.check(figures));
  }

  /** The level's figures for the capacity package; goodput counted against {@code slo}. */
  public static LevelFigures figures(LevelRun run, boolean tokens, Slo slo) {
    List<RequestRecord> measured = run.records().stream().filter(r -> !r.warmup()).toList();
    List<RequestTimes> times = new ArrayList<>();
    for (RequestRecord r : measured) times.add(times(r, tokens));
    long first = measured.stream().mapToLong(RequestRecord::scheduledNs).min().orElse(0);
    long last = measured.stream().mapToLong(RequestRecord::scheduledNs).max().orElse(0);
    if (run.level() instanceof Level.Closed) last = measured.stream().mapToLong(RequestRecord::doneNs).max().orElse(0);
    Double offered = run.level() instanceof Level.Open o && Double.isFinite(o.arrivals().offeredRate()) ? o.arrivals().offeredRate() : null;
    long[] lag = measured.stream().mapToLong(RequestRecord::fireLagNs).map(v -> Math.max(0, v)).toArray();
    Distribution fire = Distribution.of(lag);
    double spanS = (last - first) / 1e9;
    // n open-loop arrivals span n - 1 gaps: the window is the span and one mean gap more, so n arrivals at rate r read r
    // (the span alone read r n / (n - 1): 2.9 % high at 36 requests, goodput above the offered rate)
    if (!(run.level() instanceof Level.Closed) && measured.size() >= 2) spanS = spanS * measured.size() / (measured.size() - 1);
    LevelFacts facts = new LevelFacts(offered, Math.max(1e-9, spanS), fire == null ? 0 : fire.p99Ns() / 1e9,
        run.generatorCpu());
    return LevelFigures.of(times, facts, slo);
  }

  static RequestTimes times(RequestRecord r, boolean tokens) {
    double response = Math.max(0, r.responseNs()) / 1e9;
    double service = Math.max(0, r.serviceNs()) / 1e9;
    if (!r.ok()) return RequestTimes.failed(response, service, r.error() == ErrorKind.HTTP_STATUS ? "http_" + r.httpStatus() : r.error().label());
    if (tokens && r.ttftFromScheduleNs() >= 0) {
      return RequestTimes.llm(response, service, r.ttftFromScheduleNs() / 1e9, r.tpotNs() < 0 ? null : r.tpotNs() / 1e9, r.outputTokens());
    }
    return RequestTimes.image(response, service, r.images());
  }

  /** This judgement, INVALID also for {@code reasons} (a generator that failed, or was late); itself when there are none. */
  public LevelJudgement invalidBecause(List<String> reasons) {
    if (reasons.isEmpty()) return this;
    List<String> all = new ArrayList<>(validity.reasons());
    all.addAll(reasons);
    return new LevelJudgement(target, label, figures, new LevelValidity(false, all), slo);
  }

  /** One line: {@code T1 2rps: VALID; SLO p95<=2s PASS (response_p95<=2s: 1.2 s)}. */
  public String describe() {
    StringBuilder b = new StringBuilder(target + " " + label + ": " + validity.describe());
    if (slo != null) {
      b.append("; SLO ").append(slo.pass() ? "PASS" : "FAIL").append(" (")
          .append(slo.items().stream().map(SloCheck.Item::describe).collect(Collectors.joining(", "))).append(')');
    }
    return b.toString();
  }
}
