package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Careless and hostile input at the command line: each is refused at once with its own cause, or survived. */
final class InputValidationTest {
  @TempDir
  Path tmp;

  private Path plan() {
    Path plan = tmp.resolve("plan.yaml");
    Cli made = Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "--output", plan.toString());
    assertThat(made.exitCode()).as(made.err()).isZero();
    return plan;
  }

  @Test
  void aNegativeOrZeroPriceTtlIsRefused() {
    for (String ttl : new String[] {"-1h", "0s"}) {
      Cli r = Cli.run("price", "g5.xlarge", "--offline", "--price-cache", tmp.resolve("cache").toString(), "--price-ttl", ttl);

      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--price-ttl must be positive, was \"" + ttl + "\"");
    }
  }

  @Test
  void aBadUnschedulableTimeoutIsNamedAsItself() {
    Cli r = Cli.run("run", plan().toString(), "--executor", "kubernetes", "--image", "registry.example/w:1", "--dry-run",
        "--prices", "offline", "--price-cache", tmp.resolve("cache").toString(), "--unschedulable-timeout", "banana");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot read --unschedulable-timeout \"banana\"").doesNotContain("--price-ttl");
  }

  @Test
  void aCacheEntryOfAnotherTypeOrWithNanPricesDoesNotStopPrice() throws Exception {
    Path cache = tmp.resolve("cache");
    Files.createDirectories(cache.resolve("us-east-1"));
    Files.writeString(cache.resolve("us-east-1/g5.xlarge.json"), "{\"instance_type\":\"g6e.xlarge\",\"region\":\"us-east-1\","
        + "\"ondemand_usd_per_hour\":9.9,\"spot_usd_per_hour_by_zone\":{},\"fetched_at\":\"2026-11-30T11:00:00Z\"}");
    Files.writeString(cache.resolve("us-east-1/g6e.xlarge.json"), "{\"instance_type\":\"g6e.xlarge\",\"region\":\"us-east-1\","
        + "\"ondemand_usd_per_hour\":\"NaN\",\"spot_usd_per_hour_by_zone\":{},\"fetched_at\":\"2026-11-30T11:00:00Z\"}");

    Cli r = Cli.run("price", "g5.xlarge", "g6e.xlarge", "--offline", "--price-cache", cache.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("g5.xlarge").contains("g6e.xlarge").contains("catalog (2026-11-01)").doesNotContain("9.9");
    assertThat(r.err()).contains("ignored the price cache entry " + cache.resolve("us-east-1/g5.xlarge.json")
        + ": it prices instance type \"g6e.xlarge\", not g5.xlarge")
        .contains("ignored the price cache entry " + cache.resolve("us-east-1/g6e.xlarge.json") + ": cannot read it as a quote");
  }

  private Cli suite(String... more) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("suite", "collectives", "--simulate", "--gpus", "2",
        "--out", tmp.resolve("results").toString()));
    args.addAll(java.util.List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void aSuiteConfigWhoseMinBytesExceedsMaxBytesIsRefusedNotReportedAsOk() throws Exception {
    Path cfg = Files.writeString(tmp.resolve("suite.yaml"), "min_bytes: 4096\nmax_bytes: 1024\n");

    Cli r = suite("--config", cfg.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("min_bytes 4096 is larger than max_bytes 1024 (" + cfg + ")");
    assertThat(r.out()).doesNotContain("every correctness check held");
    assertThat(tmp.resolve("results")).doesNotExist();
  }

  @Test
  void minBytesAboveMaxBytesFromTheOptionsIsRefusedToo() {
    Cli r = suite("--min-bytes", "4096", "--max-bytes", "1024");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("min_bytes 4096 is larger than max_bytes 1024 (the options and --set)");
  }

  @Test
  void aSuiteConfigKeyGivenTwiceIsRefused() throws Exception {
    Path cfg = Files.writeString(tmp.resolve("suite.yaml"), "samples: 5\nwarmup: 1\nsamples: 50\n");

    Cli r = suite("--config", cfg.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Duplicate key \"samples\" (" + cfg + " line 3)");
  }

  @Test
  void absurdOrNegativeSettingsExitTwoBeforeAnyWorkerStarts() {
    Cli huge = suite("--max-bytes", "999999999999999");
    Cli negative = suite("--set", "iterations=-1");

    assertThat(huge.exitCode()).as(huge.err()).isEqualTo(2);
    assertThat(huge.err()).contains("Bad value for \"max_bytes\" (the options and --set): 999999999999999; valid: an integer"
        + " from 1 to 17179869184 (16 GiB).");
    assertThat(negative.exitCode()).as(negative.err()).isEqualTo(2);
    assertThat(negative.err()).contains("Bad value for \"iterations\" (the options and --set): -1; valid: an integer from 1");
    assertThat(tmp.resolve("results")).as("nothing was launched").doesNotExist();
  }

  @Test
  @org.junit.jupiter.api.Timeout(20)
  void specialFilesAsPlanOrSuiteConfigExitTwoAtOnceNamingThem() throws Exception {
    Path fifo = tmp.resolve("fifo.yaml");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor()).isZero();

    Cli zero = Cli.run("run", "/dev/zero", "--out", tmp.resolve("r").toString());
    Cli pipe = Cli.run("run", fifo.toString(), "--out", tmp.resolve("r").toString());
    Cli config = suite("--config", "/dev/zero");
    Cli template = Cli.run("run", plan().toString(), "--executor", "kubernetes", "--image", "registry.example/w:1", "--dry-run",
        "--prices", "offline", "--price-cache", tmp.resolve("cache").toString(), "--job-template", fifo.toString());

    assertThat(zero.exitCode()).as(zero.err()).isEqualTo(2);
    assertThat(zero.err()).contains("Plan file /dev/zero is a character device, not a regular file").doesNotContain("Exception");
    assertThat(pipe.exitCode()).as(pipe.err()).isEqualTo(2);
    assertThat(pipe.err()).contains("Plan file " + fifo + " is a FIFO (named pipe), not a regular file");
    assertThat(config.exitCode()).as(config.err()).isEqualTo(2);
    assertThat(config.err()).contains("Suite config (--config) /dev/zero is a character device, not a regular file");
    assertThat(template.exitCode()).as(template.err()).isEqualTo(2);
    assertThat(template.err()).contains("--job-template " + fifo + " is a FIFO (named pipe), not a regular file");
  }
}
