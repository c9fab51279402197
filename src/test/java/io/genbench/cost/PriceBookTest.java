package io.genbench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PriceBookTest {
  static final Clock NOW = AwsPriceSourceTest.NOW;
  static final Duration TTL = Duration.ofHours(6);

  @TempDir
  Path tmp;

  private FakeAws aws;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private PriceBook live(PriceCache cache, Clock clock) {
    return new PriceBook(new AwsPriceSource(aws.config(1), clock), cache, PriceCatalog.bundled(), TTL, clock);
  }

  @Test
  void aLivePriceSaysItCameFromTheAwsApiAndWhen() {
    PriceBook book = live(new PriceCache(tmp), NOW);

    InstancePrice p = book.lookup("g5.xlarge", "us-west-2", "us-west-2b").orElseThrow();

    assertThat(p.source()).isEqualTo("aws-api");
    assertThat(p.asOf()).isEqualTo("2026-11-30T12:00:00Z");
    assertThat(p.spotUsdPerHour()).as("the zone's price").isEqualByComparingTo("0.352");
    assertThat(book.lookup("g5.xlarge", "us-west-2").orElseThrow().spotUsdPerHour()).as("no zone: the lowest").isEqualByComparingTo("0.29");
    assertThat(p.gpu()).as("hardware from the catalog").isEqualTo("NVIDIA A10G");
    assertThat(book.summary()).isEqualTo("prices: using live AWS prices for g5.xlarge");
  }

  @Test
  void aTypeIsFetchedOncePerRun() {
    PriceBook book = live(null, NOW);

    book.lookup("g5.xlarge", "us-west-2");
    book.lookup("g5.xlarge", "us-west-2", "us-west-2a");

    assertThat(aws.pricingRequests).hasSize(1);
  }

  @Test
  void aCachedQuoteWithinTheTtlIsUsedWithoutAskingAws() {
    live(new PriceCache(tmp), NOW).lookup("g5.xlarge", "us-west-2");
    Clock later = Clock.offset(NOW, Duration.ofHours(5));

    PriceBook next = live(new PriceCache(tmp), later);
    InstancePrice p = next.lookup("g5.xlarge", "us-west-2").orElseThrow();

    assertThat(p.source()).isEqualTo("cache");
    assertThat(p.asOf()).as("the time of the fetch, not of the read").isEqualTo("2026-11-30T12:00:00Z");
    assertThat(aws.pricingRequests).hasSize(1);
    assertThat(next.summary()).contains("cached AWS prices").contains("5 h ago");
  }

  @Test
  void anExpiredCacheIsRefreshedFromAws() {
    live(new PriceCache(tmp), NOW).lookup("g5.xlarge", "us-west-2");

    InstancePrice p = live(new PriceCache(tmp), Clock.offset(NOW, Duration.ofHours(7))).lookup("g5.xlarge", "us-west-2").orElseThrow();

    assertThat(p.source()).isEqualTo("aws-api");
    assertThat(aws.pricingRequests).hasSize(2);
  }

  @Test
  void whenAwsDeniesTheExpiredCacheIsUsedAndTheConsoleSaysWhy() {
    live(new PriceCache(tmp), NOW).lookup("g5.xlarge", "us-west-2");
    aws.ec2Replies.add(FakeAws.ec2Error(403, "UnauthorizedOperation"));

    PriceBook book = live(new PriceCache(tmp), Clock.offset(NOW, Duration.ofDays(3)));
    InstancePrice p = book.lookup("g5.xlarge", "us-west-2").orElseThrow();

    assertThat(p.source()).isEqualTo("cache");
    assertThat(book.summary()).startsWith("prices: AWS API denied (UnauthorizedOperation); using cached AWS prices").contains("3 d ago");
  }

  @Test
  void whenEveryLookupFailsTheCatalogPricesAndAwsIsAskedOnce() {
    aws.ec2Replies.add(FakeAws.ec2Error(403, "UnauthorizedOperation"));
    PriceBook book = live(new PriceCache(tmp), NOW);

    InstancePrice g5 = book.lookup("g5.xlarge", "us-east-1").orElseThrow();
    InstancePrice g6e = book.lookup("g6e.xlarge", "us-east-1").orElseThrow();

    assertThat(g5.source()).isEqualTo("catalog");
    assertThat(g5.asOf()).isEqualTo("2026-11-01");
    assertThat(g5.ondemandUsdPerHour()).isEqualByComparingTo("1.006");
    assertThat(g6e.source()).isEqualTo("catalog");
    assertThat(aws.ec2Requests).hasSize(1);
    assertThat(book.summary()).isEqualTo("prices: AWS API denied (UnauthorizedOperation); using the bundled catalog of 2026-11-01"
        + " (us-east-1) for g5.xlarge, g6e.xlarge");
  }

  @Test
  void offlineNeverAsksAws() {
    new PriceCache(tmp).write(new PriceQuote("g5.xlarge", "us-west-2", new BigDecimal("1.006"),
        Map.of("us-west-2a", new BigDecimal("0.3")), NOW.instant().minus(Duration.ofDays(30))));
    PriceBook book = new PriceBook(null, new PriceCache(tmp), PriceCatalog.bundled(), TTL, NOW);

    assertThat(book.lookup("g5.xlarge", "us-west-2").orElseThrow().source()).isEqualTo("cache");
    assertThat(book.lookup("g6e.xlarge", "us-east-1").orElseThrow().source()).isEqualTo("catalog");
    assertThat(book.lookup("g6e.xlarge", "us-west-2")).isEmpty();
    assertThat(aws.ec2Requests).isEmpty();
    assertThat(book.summary()).startsWith("prices: offline (cache and catalog only); ").contains("no price for us-west-2/g6e.xlarge");
  }

  @Test
  void anUnreadableCacheFileIsNoEntry() throws Exception {
    Path file = tmp.resolve("us-west-2").resolve("g5.xlarge.json");
    java.nio.file.Files.createDirectories(file.getParent());
    java.nio.file.Files.writeString(file, "{not json");

    assertThat(new PriceCache(tmp).read("g5.xlarge", "us-west-2")).isEmpty();
  }

  private static FakeAws.Reply spot(String price) {
    return FakeAws.ec2("""
        <spotPriceHistorySet>
          <item><instanceType>g5.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>%s</spotPrice><timestamp>2026-11-30T10:00:00.000Z</timestamp><availabilityZone>us-east-1a</availabilityZone></item>
        </spotPriceHistorySet>""".formatted(price));
  }

  private Path cacheFile(String type, String region, String json) throws Exception {
    Path file = tmp.resolve(region).resolve(type + ".json");
    java.nio.file.Files.createDirectories(file.getParent());
    java.nio.file.Files.writeString(file, json);
    return file;
  }

  private static String quoteJson(String type, String region, String ondemand, String spot, String fetchedAt) {
    return "{\"instance_type\":\"" + type + "\",\"region\":\"" + region + "\",\"ondemand_usd_per_hour\":" + ondemand
        + ",\"spot_usd_per_hour_by_zone\":{\"" + region + "a\":" + spot + "},\"fetched_at\":\"" + fetchedAt + "\"}";
  }

  @Test
  void aNanSpotPriceFromAwsIsPassedOverForTheCatalogAndTheApiStaysInUseForOtherTypes() {
    aws.ec2Replies.add(spot("NaN"));
    PriceBook book = live(null, NOW);

    InstancePrice g5 = book.lookup("g5.xlarge", "us-east-1").orElseThrow();
    InstancePrice g6e = book.lookup("g6e.xlarge", "us-east-1").orElseThrow();

    assertThat(g5.source()).isEqualTo("catalog");
    assertThat(g6e.source()).as("one unusable answer does not give up the API").isEqualTo("aws-api");
    assertThat(book.liveFailure()).isEmpty();
    assertThat(book.summary()).contains("ignored the AWS API's answer for us-east-1/g5.xlarge: it answered spot price in"
        + " us-east-1a \"NaN\", which is no number (valid: a number > 0 and at most 1000 USD/h)");
  }

  @Test
  void aNegativeOrAbsurdPriceFromAwsIsPassedOverAndNotCached() {
    aws.ec2Replies.add(spot("-0.300"));
    aws.ec2Replies.add(spot("1e300"));
    PriceBook book = live(new PriceCache(tmp), NOW);

    assertThat(book.lookup("g5.xlarge", "us-east-1").orElseThrow().source()).isEqualTo("catalog");
    assertThat(book.lookup("g6e.xlarge", "us-east-1").orElseThrow().source()).isEqualTo("catalog");

    assertThat(book.summary()).contains("us-east-1/g5.xlarge: spot price in us-east-1a -0.3 USD/h is out of range")
        .contains("us-east-1/g6e.xlarge: spot price in us-east-1a 1" + "0".repeat(300) + " USD/h is out of range");
    assertThat(new PriceCache(tmp).read("g5.xlarge", "us-east-1")).as("never remembered").isEmpty();
  }

  @Test
  void aCachedQuoteOfAnotherTypeIsIgnoredAndNamed() throws Exception {
    Path file = cacheFile("g5.xlarge", "us-east-1", quoteJson("g6e.xlarge", "us-east-1", "9.9", "3.3", "2026-11-30T11:00:00Z"));
    PriceBook book = new PriceBook(null, new PriceCache(tmp), PriceCatalog.bundled(), TTL, NOW);

    InstancePrice p = book.lookup("g5.xlarge", "us-east-1").orElseThrow();

    assertThat(p.source()).isEqualTo("catalog");
    assertThat(p.instanceType()).isEqualTo("g5.xlarge");
    assertThat(book.summary()).contains("ignored the price cache entry " + file
        + ": it prices instance type \"g6e.xlarge\", not g5.xlarge");
  }

  @Test
  void aCachedQuoteOfAnotherRegionIsIgnored() throws Exception {
    cacheFile("g5.xlarge", "us-east-1", quoteJson("g5.xlarge", "eu-west-1", "9.9", "3.3", "2026-11-30T11:00:00Z"));
    PriceBook book = new PriceBook(null, new PriceCache(tmp), PriceCatalog.bundled(), TTL, NOW);

    assertThat(book.lookup("g5.xlarge", "us-east-1").orElseThrow().source()).isEqualTo("catalog");
    assertThat(book.summary()).contains("it prices region \"eu-west-1\", not us-east-1");
  }

  @Test
  void aCachedNegativePriceIsIgnored() throws Exception {
    cacheFile("g5.xlarge", "us-east-1", quoteJson("g5.xlarge", "us-east-1", "-1.006", "0.3", "2026-11-30T11:00:00Z"));
    PriceBook book = new PriceBook(null, new PriceCache(tmp), PriceCatalog.bundled(), TTL, NOW);

    InstancePrice p = book.lookup("g5.xlarge", "us-east-1").orElseThrow();

    assertThat(p.source()).isEqualTo("catalog");
    assertThat(p.ondemandUsdPerHour()).isPositive();
    assertThat(book.summary()).contains("on-demand price -1.006 USD/h is out of range");
  }

  @Test
  void aCachedNanPriceIsIgnoredAndNamedNotACrash() throws Exception {
    Path file = cacheFile("g5.xlarge", "us-east-1", quoteJson("g5.xlarge", "us-east-1", "\"NaN\"", "NaN", "2026-11-30T11:00:00Z"));
    PriceBook book = new PriceBook(null, new PriceCache(tmp), PriceCatalog.bundled(), TTL, NOW);

    assertThat(book.lookup("g5.xlarge", "us-east-1").orElseThrow().source()).isEqualTo("catalog");
    assertThat(book.summary()).contains("ignored the price cache entry " + file + ": cannot read it as a quote");
  }

  @Test
  void aCachedQuoteFetchedInTheFutureIsNotFreshForeverButRefetched() throws Exception {
    cacheFile("g5.xlarge", "us-west-2", quoteJson("g5.xlarge", "us-west-2", "0.5", "0.2", "3000-01-01T00:00:00Z"));
    PriceBook book = live(new PriceCache(tmp), NOW);

    InstancePrice p = book.lookup("g5.xlarge", "us-west-2").orElseThrow();

    assertThat(p.source()).isEqualTo("aws-api");
    assertThat(aws.pricingRequests).hasSize(1);
    assertThat(book.summary()).contains("it was fetched at 3000-01-01T00:00:00Z, in the future (now 2026-11-30T12:00:00Z)");
  }

  @Test
  void aFetchTimeAFewSecondsAheadIsClockSkewAndAccepted() throws Exception {
    cacheFile("g5.xlarge", "us-west-2", quoteJson("g5.xlarge", "us-west-2", "0.5", "0.2", "2026-11-30T12:00:30Z"));
    PriceBook book = live(new PriceCache(tmp), NOW);

    assertThat(book.lookup("g5.xlarge", "us-west-2").orElseThrow().source()).isEqualTo("cache");
    assertThat(aws.pricingRequests).isEmpty();
  }
}
