package io.genbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.cost.Lifecycle;
import io.genbench.plan.Precision;
import io.genbench.report.ReportFormat;
import org.junit.jupiter.api.Test;

final class LabeledTest {
  @Test
  void aLabelParsesToItsConstant() {
    assertThat(Labeled.parse(Lifecycle.class, "ondemand", "lifecycle", "--lifecycle")).isEqualTo(Lifecycle.ONDEMAND);
    assertThat(Labeled.parseIgnoringCase(ReportFormat.class, " HTML ", "report format", null)).isEqualTo(ReportFormat.HTML);
  }

  @Test
  void anUnknownLabelNamesTheValueItsOriginAndEveryChoice() {
    assertThatThrownBy(() -> Precision.parse("float8", "plan.yaml, matrix.precisions")).isInstanceOf(UserError.class)
        .hasMessageStartingWith("Unknown precision \"float8\" (plan.yaml, matrix.precisions). Known: ")
        .hasMessageContaining(Precision.FLOAT16.label());
    assertThatThrownBy(() -> Lifecycle.parse("reserved", null)).isInstanceOf(UserError.class)
        .hasMessage("Unknown lifecycle \"reserved\". Known: spot, ondemand.");
  }

  @Test
  void parsingIsExactUnlessAskedToIgnoreCase() {
    assertThatThrownBy(() -> Lifecycle.parse("SPOT", "--lifecycle")).isInstanceOf(UserError.class);
  }

  @Test
  void theLifecyclePaysItsOwnPriceAndFallsBackToOnDemand() {
    var both = new io.genbench.cost.InstancePrice("g5.xlarge", "us-east-1", new java.math.BigDecimal("1.0"),
        new java.math.BigDecimal("0.4"), "test", null, "A10G", 1, 24, 4, 16);
    assertThat(Lifecycle.SPOT.hourly(both)).isEqualByComparingTo("0.4");
    assertThat(Lifecycle.ONDEMAND.hourly(both)).isEqualByComparingTo("1.0");
  }
}
