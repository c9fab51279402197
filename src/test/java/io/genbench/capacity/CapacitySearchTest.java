package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.capacity.CapacityResult.Stop;
import io.genbench.capacity.ProbedLevel.Outcome;
import io.genbench.capacity.ProbedLevel.Phase;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

final class CapacitySearchTest {
  /** Validity rules a simulated level always meets, but for what a test sets. */
  private static final LevelValidity.Rules RULES = new LevelValidity.Rules(0.98, 0.010, 0.90, 0, 50);

  private static CapacitySearch search(String slo, CapacitySearch.Settings settings, SimulatedServer server) {
    Slo parsed = Slo.parse(slo, "--slo");
    server.countingGoodputAgainst(parsed);
    return new CapacitySearch(parsed, RULES, settings, () -> (long) (server.elapsedS * 1e9));
  }

  @Test
  void findsAnImageServersCapacityOf037RequestsPerSecondWithinOneHundredthOfARequestPerSecond() {
    var server = SimulatedServer.evenArrivals(0.37, 1000);
    double known = server.evenArrivalsMaxRate(0.95, 1.5 / 0.37);

    CapacityResult result = search("p95<=" + 1.5 / 0.37 + "s", CapacitySearch.Settings.startingAt(1), server).search(server);

    assertThat(result.stop()).isEqualTo(Stop.CONVERGED);
    assertThat(result.lastPassingRate()).isLessThanOrEqualTo(known).isCloseTo(0.37, org.assertj.core.data.Offset.offset(0.01));
    assertThat(result.firstFailingRate()).isGreaterThan(known);
    assertThat(result.firstFailingRate() - result.lastPassingRate()).isLessThanOrEqualTo(0.01);
    assertThat(result.replicated()).isTrue();
  }

  @Test
  void findsA1800RequestsPerSecondCapacityWithinOnePercent() {
    var server = SimulatedServer.evenArrivals(1800, 1000);
    double known = server.evenArrivalsMaxRate(0.95, 1.5 / 1800);

    CapacityResult result = search("p95<=" + 1.5 / 1800 * 1000 + "ms", CapacitySearch.Settings.startingAt(1), server).search(server);

    assertThat(result.lastPassingRate()).isLessThanOrEqualTo(known);
    assertThat(result.firstFailingRate()).isGreaterThan(known);
    assertThat(result.firstFailingRate() - result.lastPassingRate()).isLessThanOrEqualTo(0.01 * result.lastPassingRate());
    assertThat(result.binding()).isInstanceOfSatisfying(Binding.SloConstraint.class,
        b -> assertThat(b.item().constraint().toString()).startsWith("response_p95<="));
  }

  @Property(tries = 60)
  void bracketsTheKnownMaximumRateWithinTheResolution(@ForAll @DoubleRange(min = 0.05, max = 5000) double capacity,
      @ForAll @DoubleRange(min = 0.01, max = 100) double startRate) {
    var server = SimulatedServer.evenArrivals(capacity, 200);
    double bound = 1.2 / capacity;
    double known = server.evenArrivalsMaxRate(0.99, bound);

    CapacityResult result = new CapacitySearch(new Slo(List.of(new Constraint.Latency(Metric.RESPONSE, Statistic.P99,
        new java.math.BigDecimal(Double.toString(bound))))), RULES, CapacitySearch.Settings.startingAt(startRate), () -> 0L)
        .search(server);

    double resolution = Math.max(0.01, 0.01 * result.lastPassingRate());
    assertThat(result.lastPassingRate()).isLessThanOrEqualTo(known * (1 + 1e-9));
    assertThat(result.firstFailingRate()).isGreaterThanOrEqualTo(known * (1 - 1e-9));
    assertThat(result.firstFailingRate() - result.lastPassingRate()).isLessThanOrEqualTo(resolution * (1 + 1e-9));
    assertThat(result.levels()).allSatisfy(l -> assertThat(l.outcome() == Outcome.PASS).isEqualTo(l.rate() <= result.lastPassingRate()));
  }

  @Test
  void onAPoissonServerTheAnswerPassesAndTheNextRateAboveItFails() {
    var server = SimulatedServer.poissonArrivals(10, 2000, 42);
    var search = search("p95<=300ms", CapacitySearch.Settings.startingAt(1), server);

    CapacityResult result = search.search(server);

    double lastPass = result.lastPassingRate();
    assertThat(lastPass).isLessThan(10); // queueing: a P95 of 3 service times needs headroom
    assertThat(Slo.parse("p95<=300ms", "test").check(server.run(lastPass)).pass()).isTrue();
    assertThat(Slo.parse("p95<=300ms", "test").check(server.run(result.firstFailingRate())).pass()).isFalse();
    assertThat(result.firstFailingRate() - lastPass).isLessThanOrEqualTo(Math.max(0.01, 0.01 * lastPass));
    double scanStep = 0.001;
    double scanned = 0;
    for (double r = lastPass - 0.2; r < lastPass + 0.2; r += scanStep) {
      if (Slo.parse("p95<=300ms", "test").check(server.run(r)).pass()) scanned = r;
    }
    assertThat(Math.abs(scanned - lastPass)).isLessThanOrEqualTo(Math.max(0.01, 0.01 * lastPass) + scanStep);
  }

  @Test
  void levelsTheGeneratorCouldNotDriveAreNeverPassesAndBoundTheAnswer() {
    var server = SimulatedServer.evenArrivals(100, 500);
    LevelProbe saturatedAbove40 = rate -> {
      LevelFigures f = server.run(rate);
      return rate > 40 ? withCpu(f, 0.97) : f;
    };

    CapacityResult result = search("p95<=15ms", CapacitySearch.Settings.startingAt(10), server).search(saturatedAbove40);

    assertThat(result.levels()).filteredOn(l -> l.rate() > 40).isNotEmpty()
        .allSatisfy(l -> assertThat(l.outcome()).isEqualTo(Outcome.INVALID));
    assertThat(result.lastPassingRate()).isLessThanOrEqualTo(40).isGreaterThan(39);
    assertThat(result.firstInvalidRate()).isGreaterThan(40);
    assertThat(result.firstFailingRate()).isNull();
    assertThat(result.binding()).isInstanceOf(Binding.Generator.class);
    assertThat(result.binding().describe()).contains("generator could not drive").contains("saturated");
    assertThat(result.levels()).extracting(ProbedLevel::phase).contains(Phase.RETRY);
  }

  @Test
  void anInvalidLevelThatIsValidWhenRetriedCountsAsItsRetry() {
    var server = SimulatedServer.evenArrivals(5, 200);
    int[] calls = {0};
    LevelProbe laggedOnce = rate -> {
      LevelFigures f = server.run(rate);
      return ++calls[0] == 1 ? withLag(f, 0.5) : f;
    };

    CapacityResult result = search("p95<=300ms", CapacitySearch.Settings.startingAt(1), server).search(laggedOnce);

    assertThat(result.levels().get(0).outcome()).isEqualTo(Outcome.INVALID);
    assertThat(result.levels().get(0).validity().describe()).contains("dispatch lag P99 500 ms");
    assertThat(result.levels().get(1).phase()).isEqualTo(Phase.RETRY);
    assertThat(result.levels().get(1).outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.firstInvalidRate()).isNull();
    assertThat(result.lastPassingRate()).isCloseTo(5, org.assertj.core.data.Offset.offset(0.06));
  }

  @Test
  void aReplicateThatFailsStepsDownAndSaysSo() {
    var fast = SimulatedServer.evenArrivals(10, 300);
    var slow = SimulatedServer.evenArrivals(9, 300);
    int[] level = {0};
    // the server slows to 9 req/s once the search reaches its replicate (level 10 and on)
    LevelProbe degrading = rate -> ++level[0] >= 10 ? slow.run(rate) : fast.run(rate);
    var settings = CapacitySearch.Settings.startingAt(1).withResolution(0.05, 0);

    CapacityResult result = new CapacitySearch(Slo.parse("p95<=150ms", "--slo"), RULES, settings, () -> 0L).search(degrading);

    assertThat(result.levels()).extracting(ProbedLevel::phase).contains(Phase.REPLICATE, Phase.STEP_DOWN);
    ProbedLevel firstReplicate = result.levels().stream().filter(l -> l.phase() == Phase.REPLICATE).findFirst().orElseThrow();
    assertThat(firstReplicate.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.notes()).anyMatch(n -> n.startsWith("the replicate at ") && n.contains("failed") && n.contains("stepped down to"));
    assertThat(result.lastPassingRate()).isLessThan(firstReplicate.rate()).isLessThanOrEqualTo(9.0 * 1.01);
    assertThat(result.firstFailingRate()).isGreaterThan(result.lastPassingRate()).isLessThanOrEqualTo(firstReplicate.rate());
    assertThat(result.levels()).filteredOn(l -> l.rate() == result.firstFailingRate()).extracting(ProbedLevel::outcome)
        .containsOnly(Outcome.FAIL);
    assertThat(result.replicated()).isTrue();
  }

  @Test
  void stopsAtTheLevelLimitAndSaysTheAnswerWasNotReplicated() {
    var server = SimulatedServer.evenArrivals(7, 200);

    CapacityResult result = search("p95<=200ms", CapacitySearch.Settings.startingAt(1).withLimits(4, Double.POSITIVE_INFINITY), server)
        .search(server);

    assertThat(result.levels()).hasSize(4);
    assertThat(result.stop()).isEqualTo(Stop.MAX_LEVELS);
    assertThat(result.replicated()).isFalse();
    assertThat(result.lastPassingRate()).isEqualTo(4);
    assertThat(result.firstFailingRate()).isEqualTo(8);
    assertThat(result.notes()).anyMatch(n -> n.contains("level limit reached after 4 levels") && n.contains("not replicated"));
  }

  @Test
  void stopsWhenTheTimeBudgetIsSpentBySimulatedTime() {
    var server = SimulatedServer.evenArrivals(7, 200); // a level at 1 req/s lasts 200 simulated seconds

    CapacityResult result = search("p95<=200ms", CapacitySearch.Settings.startingAt(1).withLimits(40, 300), server).search(server);

    assertThat(result.stop()).isEqualTo(Stop.MAX_TIME);
    assertThat(result.levels()).hasSize(2); // 200 s, then 100 s: the budget is spent before the third
  }

  @Test
  void aServerThatNeverMeetsTheSloHasNoSustainableRate() {
    var server = SimulatedServer.evenArrivals(7, 200);

    CapacityResult result = search("p95<=100ms", CapacitySearch.Settings.startingAt(1).withRates(0.1, 1e6), server).search(server);

    assertThat(result.stop()).isEqualTo(Stop.MIN_RATE);
    assertThat(result.lastPassingRate()).isNull();
    assertThat(result.goodput()).isNull();
    assertThat(result.firstFailingRate()).isEqualTo(0.125);
  }

  @Test
  void aServerFasterThanTheMaximumRatePassesThereAndNamesTheClosestConstraint() {
    var server = SimulatedServer.evenArrivals(1000, 200);

    CapacityResult result = search("p95<=10ms", CapacitySearch.Settings.startingAt(1).withRates(0.001, 100), server).search(server);

    assertThat(result.stop()).isEqualTo(Stop.MAX_RATE);
    assertThat(result.lastPassingRate()).isEqualTo(100);
    assertThat(result.firstFailingRate()).isNull();
    assertThat(result.binding().describe()).startsWith("no rate failed (maximum rate reached); closest to its bound: response_p95<=10ms: 1 ms");
  }

  @Test
  void aReplicateThatFailsWithNothingPassingBelowEndsWithoutAnAnswer() {
    var server = SimulatedServer.evenArrivals(10, 200);
    int[] level = {0};
    LevelProbe brokenAfterFirst = rate -> ++level[0] == 1 ? server.run(rate) : server.run(rate * 1000);
    var settings = CapacitySearch.Settings.startingAt(1).withRates(0.5, 1e6);

    CapacityResult result = new CapacitySearch(Slo.parse("p95<=150ms", "--slo"), RULES, settings, () -> 0L).search(brokenAfterFirst);

    assertThat(result.stop()).isEqualTo(Stop.MIN_RATE);
    assertThat(result.lastPassingRate()).isNull();
    assertThat(result.replicated()).isFalse();
    assertThat(result.notes()).anyMatch(n -> n.startsWith("the replicate at 1 req/s failed") && n.endsWith("nothing passed down to the minimum rate"));
  }

  @Property(tries = 40)
  void noRateAtOrAboveALevelTheGeneratorCouldNotDriveIsReportedAsSustainable(
      @ForAll @DoubleRange(min = 0.5, max = 2000) double capacity, @ForAll @DoubleRange(min = 0.2, max = 5) double generatorShare) {
    var server = SimulatedServer.evenArrivals(capacity, 200);
    double generatorLimit = capacity * generatorShare;
    LevelProbe probe = rate -> {
      LevelFigures f = server.run(rate);
      return rate > generatorLimit ? withCpu(f, 0.99) : f;
    };

    CapacityResult result = new CapacitySearch(Slo.parse("p99<=" + 1.2 / capacity * 1e3 + "ms", "--slo"), RULES,
        CapacitySearch.Settings.startingAt(1).withLimits(30, Double.POSITIVE_INFINITY), () -> 0L).search(probe);

    assertThat(result.levels()).hasSizeLessThanOrEqualTo(30);
    assertThat(result.levels()).filteredOn(l -> l.rate() > generatorLimit).allSatisfy(l -> assertThat(l.outcome()).isEqualTo(Outcome.INVALID));
    if (result.lastPassingRate() != null) assertThat(result.lastPassingRate()).isLessThanOrEqualTo(generatorLimit);
    if (result.firstInvalidRate() != null && (result.firstFailingRate() == null || result.firstInvalidRate() < result.firstFailingRate())) {
      assertThat(result.binding()).isInstanceOf(Binding.Generator.class);
    }
  }

  static LevelFigures withCpu(LevelFigures f, double cpu) {
    return new LevelFigures(f.offeredRate(), f.achievedRate(), f.durationS(), f.requests(), f.errors(), f.errorsByKind(),
        f.dispatchLagP99S(), cpu, f.latency(), f.imagesPerSecond(), f.tokensPerSecond(), f.goodput());
  }

  static LevelFigures withLag(LevelFigures f, double lagS) {
    return new LevelFigures(f.offeredRate(), f.achievedRate(), f.durationS(), f.requests(), f.errors(), f.errorsByKind(), lagS,
        f.generatorCpuFraction(), f.latency(), f.imagesPerSecond(), f.tokensPerSecond(), f.goodput());
  }
}
