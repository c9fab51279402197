package io.genbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.execute.Estimator;
import io.genbench.execute.Twins;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Resources;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dry run's GPU-hours and how much of them measures, as the estimator's parts give them; twins cost nothing. */
final class DryRunTest {
  private static final TestCase G6E = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase G5 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase TWO_GPUS = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 4, 20, new Resolution(768, 768), Precision.FLOAT16)
      .withResources(new Resources(2, null, null));
  private static final Plan PLAN = new Plan(Mode.COMPARISON, Settings.DEFAULT, List.of(G6E, G5, TWO_GPUS));

  /** A cost model of round figures: 60 s per request, 100 s worker start, 50 s build, 20 s around the iterations. */
  private static final Estimator.CostModel ROUND = new io.genbench.execute.FixedCosts(60, 100, 50, 20, 0, "round figures");

  /** Hours as the dry run writes them, checked against hand-written figures below. */
  private static String hours(double seconds) {
    return DryRun.hoursText(seconds / 3600);
  }

  @Test
  void gpuTimeIsWrittenInHoursMinutesOrSecondsByItsSize() {
    assertThat(List.of(hours(1872), hours(150), hours(12))).containsExactly("0.52 h", "2.5 min", "12.0 s");
  }

  @Test
  void theGpuHoursAreEachRunCasesGpusTimesItsEstimateAndTheTwinTakesNone() {
    var twins = Twins.of(PLAN.cases());
    var estimator = new Estimator(PLAN, "torch", null, List.of(), () -> ROUND);

    String out = DryRun.render(PLAN, "torch", "NVIDIA H100", true, Map.of(), twins, 1, estimator, null);

    // the parts as the estimator splits them: the first case starts the worker and builds the model, the second reuses both
    Estimator.Counts n = Estimator.counts(Settings.DEFAULT, 60, 0);
    double first = 100 + 50 + 60.0 * n.warmup() + 60.0 * n.measured() + 20;
    double second = 60.0 * n.warmup() + 60.0 * n.measured() + 20;
    double gpuS = first + 2 * second;
    double measureS = 60.0 * n.measured() * 3;
    assertThat(n.measured()).isPositive();
    assertThat(out).contains("dry run: 3 cases on backend torch, NVIDIA H100; 2 will run and 1 is priced from a twin")
        .containsPattern(G5.id() + " +priced from " + G6E.id() + " +0 s")
        .contains("GPU-hours (estimated): ≈ " + hours(gpuS) + " (each case's GPUs x its expected wall time, summed; the 1"
            + " priced from a twin takes none), of which measuring ≈ " + hours(measureS)
            + String.format(Locale.ROOT, " (%.0f %%)", 100 * measureS / gpuS))
        .contains(String.format(Locale.ROOT, "worker start and model builds ≈ %s (%.0f %%)", hours(150), 100 * 150 / gpuS));
    // the wall time counts each case once (not its GPUs): the twin adds nothing to it either
    assertThat(out).contains(String.format(Locale.ROOT, "(%.0f s), an estimate: 2 cases rough", first + second + DryRun.RUN_S
        + DryRun.VIEWS_PER_CASE_S * 3));
  }

  @Test
  void withoutTwinsEveryCaseRunsAndOnTheCpuTheFigureIsMachineHours() {
    var estimator = new Estimator(PLAN, "torch", null, List.of(), () -> ROUND);

    String out = DryRun.render(PLAN, "torch", "this CPU", false, Map.of(), Twins.NONE, 2, estimator, null);

    assertThat(out).startsWith("dry run: 3 cases x 2 trials (each in a fresh worker) on backend torch, this CPU; nothing is run")
        .doesNotContain("priced from").contains("machine-hours (estimated): ≈ ").contains("(each case's expected wall time x 2 trials, summed), of which");
  }
}
