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
}
