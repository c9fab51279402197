package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.cost.PriceCatalog;
import io.genbench.plan.Mode;
import io.genbench.plan.Model;
import io.genbench.plan.Plan;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

final class BudgetedExecutorTest {
  private static final TestCase SD = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 20, new Resolution(768, 768), Precision.FLOAT16);
  private static final TestCase SDXL = TestCase.diffusion(Model.SDXL, "g5.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16);
  private static final long HOUR = 3_600_000_000_000L;

  /** Each reading is an hour after the last: a case of six events runs five hours. */
  private final Ticker hourly = new Ticker() {
    long now;

    @Override
    public long read() {
      return now += HOUR;
    }
  };

  private BudgetedExecutor budgeted(FakeExecutor fake, String usd, String lifecycle) {
    return new BudgetedExecutor(fake, new BudgetedExecutor.Budget(new BigDecimal(usd), io.genbench.cost.Lifecycle.parse(lifecycle, "test"), "us-east-1", null),
        PriceCatalog.bundled(), hourly);
  }

  @Test
  void spendIsMeasuredTimeTimesTheLifecyclesPrice() {
    var ex = budgeted(new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L)), "100", "ondemand");

    ex.execute(List.of(SD), Settings.DEFAULT, new RecordingSink());

    assertThat(ex.spentUsd()).isEqualByComparingTo("5.03"); // 5 h x 1.006
  }

  @Test
  void aGroupStartedUnderBudgetFinishesAndTheNextIsNotLaunched() {
    var fake = new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L));
    var ex = budgeted(fake, "4", "ondemand");
    var sink = new RecordingSink();

    ex.execute(List.of(SD), Settings.DEFAULT, sink);
    ex.execute(List.of(SDXL), Settings.DEFAULT, sink);

    assertThat(fake.groups).containsExactly(List.of(SD.id()));
    assertThat(ex.notRun()).containsExactly(SDXL.id());
    assertThat(sink.events).filteredOn(e -> e instanceof WorkerEvent.Failed && e.caseId().equals(SDXL.id()))
        .singleElement().satisfies(e -> {
          assertThat(((WorkerEvent.Failed) e).kind()).isEqualTo(FailureKind.BUDGET);
          assertThat(((WorkerEvent.Failed) e).message()).contains("budget of $4 was spent ($5.03 measured)");
        });
  }

  @Test
  void spotSpendUsesTheSpotPrice() {
    var ex = budgeted(new FakeExecutor(c -> FakeExecutor.success(c, 1_000_000_000L)), "100", "spot");

    ex.execute(List.of(SD), Settings.DEFAULT, new RecordingSink());

    assertThat(ex.spentUsd()).isEqualByComparingTo("2.012"); // 5 h x 0.4024
  }
}
