package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.plan.PlanFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PlanCommandTest {
  @TempDir
  Path tmp;

  @Test
  void theSeedComparisonCommandWritesSixteenCasesWithDistinctIds() {
    Path out = tmp.resolve("comparison.yaml");

    Cli r = Cli.run("plan", "--mode", "comparison", "--models", "stabilityai/stable-diffusion-2-1",
        "stabilityai/stable-diffusion-xl-base-1.0", "--instance-types", "g6e.xlarge", "g5.xlarge", "--batch-sizes", "1", "4",
        "--precisions", "float16", "float32", "--output", out.toString());

    assertThat(r.exitCode()).isZero();
    var plan = PlanFile.read(out);
    assertThat(plan.cases()).hasSize(16);
    assertThat(plan.cases().stream().map(c -> c.id()).distinct()).hasSize(16);
  }

  @Test
  void badInputExitsTwoNamesTheValueAndWritesNothing() {
    Path out = tmp.resolve("bad.yaml");

    Cli r = Cli.run("plan", "--mode", "sd_only", "--resolutions", "512x", "--output", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"512x\"").contains("--resolutions").doesNotContain("Exception");
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void channelsLastOnForAnLlmExitsTwoNamingTheOptionAndTheModelButCudaGraphsOnIsItsGraphDecode() {
    Cli r = Cli.run("plan", "--mode", "mixed", "--models", "facebook/opt-1.3b", "--channels-last", "on");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Bad --channels-last on").contains("facebook/opt-1.3b is an LLM").doesNotContain("Exception");
    assertThat(Cli.run("plan", "--mode", "mixed", "--models", "facebook/opt-1.3b", "--cuda-graphs", "on").exitCode()).isZero();
    assertThat(Cli.run("plan", "--mode", "mixed", "--models", "facebook/opt-1.3b", "--cuda-graphs", "off").exitCode()).isZero();
  }

  @Test
  void anUnknownModeExitsTwoWithTheKnownModes() {
    Cli r = Cli.run("plan", "--mode", "turbo");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"turbo\"").contains("instance_optimized");
  }

  @Test
  void helpDescribesEveryMode() {
    Cli r = Cli.run("plan", "--help");

    assertThat(r.out()).contains("comparison:", "sdxl_only:", "sd_only:", "instance_optimized:", "mixed:", "holds");
  }

  @Test
  void withoutOutputThePlanGoesToStdout() {
    Cli r = Cli.run("plan", "--mode", "sdxl_only");

    assertThat(r.exitCode()).isZero();
    assertThat(PlanFile.parse(r.out(), "stdout").cases()).hasSize(6);
  }

  @Test
  void priceRejectsAnUnknownTypeBeforePrintingAnything() {
    Cli r = Cli.run("price", "g5.xlarge", "foo.bar");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("\"foo.bar\"").contains("g5.xlarge");
  }

  @Test
  void priceListsSpotAndOnDemandWithSourceAndDate() {
    Cli r = Cli.run("price", "g5.xlarge");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("g5.xlarge").contains("1.006").contains("catalog (2026-11-01)");
  }
}
