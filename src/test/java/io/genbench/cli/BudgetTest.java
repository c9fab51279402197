package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BudgetTest {
  @TempDir
  Path tmp;

  private Path plan() {
    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "g6e.xlarge", "--batch-sizes", "1",
        "--resolutions", "64x64", "--inference-steps", "2", "--precisions", "float32", "--output", plan.toString()).exitCode()).isZero();
    return plan;
  }

  @Test
  void theDryRunEstimatesTheCostOfEachInstanceType() {
    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--dry-run", "--lifecycle", "spot", "--measure-each",
        "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("cost g5.xlarge (spot): ≈ $").contains("cost g6e.xlarge (spot): ≈ $").contains("cost total: ≈ $");
  }

  @Test
  void aCaseMeasuredOnceAsItsTwinCostsNothingToRun() {
    // the plan's two cases differ only in their instance type: on this machine the g6e.xlarge one is the same work
    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--dry-run", "--lifecycle", "spot", "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 will run and 1 is priced from a twin").contains("cost g5.xlarge (spot): ≈ $")
        .doesNotContain("cost g6e.xlarge");
  }

  @Test
  void aRunWhoseEstimateExceedsTheBudgetIsRefusedBeforeAnythingRuns() {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--budget-usd", "0.0001", "--out", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("exceeds --budget-usd 0.0001").contains("Nothing was run");
    assertThat(out).doesNotExist();
  }
}
