package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.cost.FakeAws;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench price} and {@code genbench run} against a loopback AWS: never the real one. */
final class LivePricesTest {
  @TempDir
  Path tmp;

  private FakeAws aws;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
    // static test credentials for the SDK's system-property provider, the first of the chain
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", "secret");
  }

  @AfterEach
  void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    aws.close();
  }

  private Cli price(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("price", "g5.xlarge", "--region", "us-west-2", "--aws-endpoint",
        aws.endpoint().toString(), "--price-cache", tmp.resolve("cache").toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void pricePrintsSpotPerZoneOnDemandSourceAndAge() {
    Cli r = price("--prices", "live");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("g5.xlarge").contains("0.29").contains("1.006").contains("aws-api (")
        .contains("spot by zone: us-west-2a 0.301, us-west-2b 0.352, us-west-2c 0.29");
    assertThat(r.err()).contains("prices: using live AWS prices for g5.xlarge");
  }

  @Test
  void offlinePriceReadsTheCacheAndAsksNobody() {
    price("--prices", "live");
    int asked = aws.ec2Requests.size();

    Cli r = price("--offline");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("cache (").contains("us-west-2b 0.352");
    assertThat(aws.ec2Requests).hasSize(asked);
  }

  @Test
  void aRunWhoseEveryPriceLookupFailsFinishesWithCatalogPricesMarkedAsSuch() throws Exception {
    for (int i = 0; i < 5; i++) aws.ec2Replies.add(FakeAws.ec2Error(403, "UnauthorizedOperation"));
    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "--batch-sizes", "1", "--resolutions",
        "64x64", "--inference-steps", "2", "--precisions", "float32", "--warmup", "1", "--min-iterations", "2",
        "--max-iterations", "2", "--min-duration", "0", "--output", plan.toString()).exitCode()).isZero();
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan.toString(), "--backend", "onnx", "--threads", "1", "--out", out.toString(), "--prices", "live",
        "--aws-endpoint", aws.endpoint().toString(), "--price-cache", tmp.resolve("cache").toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("prices: AWS API denied (UnauthorizedOperation); using the bundled catalog of 2026-11-01");
    String csv = Files.readString(out.resolve("results.csv"));
    assertThat(csv).contains(",catalog,2026-11-01,");
    assertThat(Files.readString(out.resolve("summary.csv"))).contains(",1.006,");
  }
}
