package io.genbench.report;

import io.genbench.result.CaseResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The seed's cost analysis over the successful cases of a run: the configuration with the lowest spot cost per 1000
 * images, the fastest configuration (lowest time per image), and the averages. Ties go to the earlier case in plan
 * order. The lowest and the fastest are picked as {@code genbench best} picks: among the cases that fit the instance
 * they are priced as ({@link MemoryFit}) and whose verdict is valid (VALID or HOST-BOUND); an INVALID case's figure is
 * not offered as an answer.
 *
 * @param lowestSpot the valid successful case with the lowest spot cost per 1000 images; empty when none has one
 * @param fastest the valid successful case with the lowest time per image; empty when none has one
 * @param averageSpotUsd mean spot cost per 1000 images over the successful cases that have one, or null
 * @param averageOndemandUsd mean on-demand cost per 1000 images over the successful cases that have one, or null
 * @param averageSpotSavingsPct mean of the cases' spot savings against on-demand, %, or null
 * @param successes number of successful cases
 * @param invalid successful cases left out of the lowest and the fastest because their verdict is INVALID (or missing)
 */
public record CostAnalysis(Optional<CaseResult> lowestSpot, Optional<CaseResult> fastest, BigDecimal averageSpotUsd,
    BigDecimal averageOndemandUsd, BigDecimal averageSpotSavingsPct, int successes, int invalid) {

  public static CostAnalysis of(List<CaseResult> results) {
    List<CaseResult> ok = results.stream().filter(r -> r.outcome() instanceof CaseResult.Measured).toList();
    // a case that does not fit the instance it is priced as cannot be had at that cost or speed there
    // as genbench best: an INVALID figure is not an answer, and a case that does not fit cannot be had at that cost
    List<CaseResult> offered = ok.stream().filter(r -> valid(r) && MemoryFit.fits(r)).toList();
    Optional<CaseResult> lowestSpot = offered.stream().filter(r -> spot(r) != null).min(Comparator.comparing(CostAnalysis::spot));
    Optional<CaseResult> fastest = offered.stream().filter(r -> r.timePerImageS() != null)
        .min(Comparator.comparingDouble(CaseResult::timePerImageS));
    int invalid = (int) ok.stream().filter(r -> !valid(r)).count();
    return new CostAnalysis(lowestSpot, fastest, mean(ok, CostAnalysis::spot), mean(ok, CostAnalysis::ondemand),
        mean(ok, r -> r.cost() == null ? null : r.cost().spotSavingsPct()), ok.size(), invalid);
  }

  /** Whether {@code genbench best} counts the case without --include-invalid: its verdict is VALID or HOST-BOUND. */
  public static boolean valid(CaseResult r) {
    return r.verdict() != null && r.verdict().valid();
  }

  /** Spot cost per 1000 images of a case, or null. */
  static BigDecimal spot(CaseResult r) {
    return r.cost() instanceof CaseResult.ImageCost i ? i.cost1000ImagesSpotUsd() : null;
  }

  /** On-demand cost per 1000 images of a case, or null. */
  static BigDecimal ondemand(CaseResult r) {
    return r.cost() instanceof CaseResult.ImageCost i ? i.cost1000ImagesOndemandUsd() : null;
  }

  /** On-demand minus spot cost per 1000 images, or null. */
  static BigDecimal saving(CaseResult r) {
    BigDecimal s = spot(r);
    BigDecimal o = ondemand(r);
    return s == null || o == null ? null : o.subtract(s); // exact: the difference of the two printed figures
  }

  private static BigDecimal mean(List<CaseResult> cases, Function<CaseResult, BigDecimal> f) {
    List<BigDecimal> values = cases.stream().map(f).filter(v -> v != null).toList();
    if (values.isEmpty()) return null;
    return io.genbench.cost.CostModel.round(values.stream().reduce(BigDecimal.ZERO, BigDecimal::add)
        .divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL64));
  }
}
