package io.genbench.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class AwsPriceSourceTest {
  static final Clock NOW = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

  private FakeAws aws;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  @Test
  void quotesTheLatestSpotPriceOfEachZoneAcrossEveryPage() {
    try (var source = new AwsPriceSource(aws.config(1), NOW)) {

      PriceQuote q = source.quote("g5.xlarge", "us-west-2");

      assertThat(q.spotUsdPerHourByZone()).isEqualTo(Map.of("us-west-2a", new BigDecimal("0.301"),
          "us-west-2b", new BigDecimal("0.352"), "us-west-2c", new BigDecimal("0.29")));
      assertThat(q.fetchedAt()).isEqualTo(NOW.instant());
      assertThat(aws.ec2Requests).hasSize(2);
      assertThat(aws.ec2Requests.getFirst()).containsEntry("Action", "DescribeSpotPriceHistory")
          .containsEntry("InstanceType.1", "g5.xlarge").containsEntry("ProductDescription.1", "Linux/UNIX");
      assertThat(aws.ec2Requests.get(1)).containsEntry("NextToken", "page-2");
    }
  }

  @Test
  void quotesOnDemandFromThePricingApiForLinuxSharedTenancyInTheRegionsLocation() {
    try (var source = new AwsPriceSource(aws.config(1), NOW)) {

      PriceQuote q = source.quote("g5.xlarge", "us-west-2");

      assertThat(q.ondemandUsdPerHour()).isEqualByComparingTo("1.006");
      assertThat(aws.pricingRequests).singleElement().satisfies(body -> assertThat(body)
          .contains("\"ServiceCode\":\"AmazonEC2\"").contains("US West (Oregon)").contains("\"Linux\"")
          .contains("\"Shared\"").contains("\"preInstalledSw\"").contains("\"capacitystatus\"").contains("\"Used\""));
    }
  }

  @Test
  void retriesAThrottledCallAndThenQuotes() {
    aws.ec2Replies.add(FakeAws.ec2Error(503, "RequestLimitExceeded"));
    aws.pricingReplies.add(FakeAws.pricingError(400, "ThrottlingException"));
    try (var source = new AwsPriceSource(aws.config(3), NOW)) {

      PriceQuote q = source.quote("g5.xlarge", "us-west-2");

      assertThat(q.spotUsdPerHour(null)).isEqualByComparingTo("0.29");
      assertThat(q.ondemandUsdPerHour()).isEqualByComparingTo("1.006");
    }
  }

  @Test
  void saysWhenEc2DeniesTheCall() {
    aws.ec2Replies.add(FakeAws.ec2Error(403, "UnauthorizedOperation"));
    try (var source = new AwsPriceSource(aws.config(1), NOW)) {

      assertThatThrownBy(() -> source.quote("g5.xlarge", "us-west-2")).isInstanceOfSatisfying(PriceFetchException.class,
          e -> assertThat(e.reason()).isEqualTo("denied (UnauthorizedOperation)"));
      assertThat(source.lookup("g5.xlarge", "us-west-2")).as("the next call is answered").isPresent();
    }
  }

  @Test
  void saysWhenThePricingApiDeniesTheCall() {
    aws.pricingReplies.add(FakeAws.pricingError(400, "AccessDeniedException"));
    try (var source = new AwsPriceSource(aws.config(1), NOW)) {

      assertThatThrownBy(() -> source.quote("g5.xlarge", "us-west-2")).isInstanceOfSatisfying(PriceFetchException.class,
          e -> assertThat(e.reason()).isEqualTo("denied (AccessDeniedException)"));
    }
  }

  @Test
  void anEndpointThatNeverAnswersEndsInATimeoutNotAHang() {
    aws.ec2Replies.add(FakeAws.Reply.HANG);
    try (var source = new AwsPriceSource(aws.config(1), NOW)) {

      assertThatThrownBy(() -> source.quote("g5.xlarge", "us-west-2")).isInstanceOfSatisfying(PriceFetchException.class,
          e -> assertThat(e.reason()).isEqualTo("timed out"));
    }
  }

  @Test
  void namesTheLocationsThePricingApiUses() {
    assertThat(AwsPriceSource.locationName("us-east-1")).isEqualTo("US East (N. Virginia)");
    assertThat(AwsPriceSource.locationName("eu-central-1")).isEqualTo("EU (Frankfurt)");
  }

  @Test
  void aSpotPriceThatIsNoNumberIsAnUnusableAnswerNotACrash() {
    aws.ec2Replies.add(FakeAws.ec2("""
        <spotPriceHistorySet>
          <item><instanceType>g5.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>NaN</spotPrice><timestamp>2026-11-30T10:00:00.000Z</timestamp><availabilityZone>us-west-2a</availabilityZone></item>
        </spotPriceHistorySet>"""));
    try (var source = new AwsPriceSource(aws.config(1), NOW)) {

      assertThatThrownBy(() -> source.quote("g5.xlarge", "us-west-2")).isInstanceOfSatisfying(PriceFetchException.class, e -> {
        assertThat(e.invalidAnswer()).isTrue();
        assertThat(e.reason()).isEqualTo("answered spot price in us-west-2a \"NaN\", which is no number"
            + " (valid: a number > 0 and at most 1000 USD/h)");
      });
      assertThat(source.lookup("g5.xlarge", "us-west-2")).as("the next answer is fine").isPresent();
    }
  }

  @Test
  void anOnDemandPriceThatIsNoNumberIsAnUnusableAnswer() {
    assertThatThrownBy(() -> AwsPriceSource.onDemandUsd(java.util.List.of(
        "{\"terms\":{\"OnDemand\":{\"t\":{\"priceDimensions\":{\"d\":{\"pricePerUnit\":{\"USD\":\"NaN\"}}}}}}}")))
        .isInstanceOfSatisfying(PriceFetchException.class, e -> assertThat(e.invalidAnswer()).isTrue());
  }
}
