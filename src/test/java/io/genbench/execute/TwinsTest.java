package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.Attention;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Resources;
import io.genbench.plan.TestCase;
import io.genbench.plan.TestMatrix;
import io.genbench.plan.Toggle;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Which cases are the same work on one device: everything but the instance type they are priced as and their name. */
final class TwinsTest {
  private static final TestCase G6E = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase G5 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);

  @Test
  void casesThatDifferOnlyInInstanceTypeAndNameAreTwinsOfTheFirstInPlanOrder() {
    var twins = Twins.of(List.of(G6E, G5.withName("mine"), G5));

    assertThat(Twins.key(G6E)).isEqualTo(Twins.key(G5.withName("mine")));
    assertThat(twins.isTwin(G6E.id())).isFalse();
    assertThat(twins.measuredAs("mine")).isEqualTo(G6E.id());
    assertThat(twins.measuredAs(G5.id())).isEqualTo(G6E.id());
    assertThat(twins.of(G6E.id())).extracting(TestCase::id).containsExactly("mine", G5.id());
    assertThat(twins.size()).isEqualTo(2);
  }

  @Test
  void everyOtherFieldMakesADifferentPieceOfWork() {
    List<TestCase> others = List.of(
        TestCase.diffusion(Model.SDXL, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16),
        TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 4, 20, new Resolution(768, 768), Precision.FLOAT16),
        TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 30, new Resolution(768, 768), Precision.FLOAT16),
        TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(512, 512), Precision.FLOAT16),
        TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT32),
        G5.withKnobs(G5.knobs().withCudaGraphs(Toggle.OFF)),
        G5.withKnobs(new io.genbench.plan.Knobs(Attention.MATH, Toggle.AUTO, false, Toggle.AUTO)),
        G5.withResources(new Resources(2, null, null)),
        G5.withResources(new Resources(1, "12Gi", "15Gi")));

    for (TestCase other : others) {
      assertThat(Twins.key(other)).as(other.id()).isNotEqualTo(Twins.key(G6E));
      assertThat(Twins.of(List.of(G6E, other)).size()).as(other.id()).isZero();
    }
  }

  @Test
  void theSeedsComparisonPlanIsEightPiecesOfWorkOnTwoInstanceTypes() {
    List<TestCase> cases = TestMatrix.of(Mode.COMPARISON).cases(t -> OptionalDouble.of(48));

    var twins = Twins.of(cases);

    assertThat(cases).hasSize(16);
    assertThat(twins.size()).isEqualTo(8);
    for (String twin : twins.ids()) {
      TestCase t = cases.stream().filter(c -> c.id().equals(twin)).findFirst().orElseThrow();
      TestCase measured = cases.stream().filter(c -> c.id().equals(twins.measuredAs(twin))).findFirst().orElseThrow();
      assertThat(t.instanceType()).isNotEqualTo(measured.instanceType());
      assertThat(cases.indexOf(measured)).isLessThan(cases.indexOf(t));
    }
  }
}
