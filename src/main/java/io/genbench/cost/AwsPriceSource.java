package io.genbench.cost;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.SpotPrice;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.pricing.model.Filter;
import software.amazon.awssdk.services.pricing.model.FilterType;
import software.amazon.awssdk.services.pricing.model.GetProductsRequest;

/**
 * Live AWS prices through the AWS SDK: spot from EC2 {@code DescribeSpotPriceHistory} (Linux/UNIX, the latest price of
 * each availability zone, all pages), on-demand from the Pricing API {@code GetProducts} (EC2, Linux, shared tenancy,
 * no pre-installed software, capacity status Used, the region's location name). The SDK retries throttling and
 * transient errors (its standard retry mode); a lookup that still fails throws {@link PriceFetchException}, and
 * {@link #lookup} returns empty, so a caller can fall back. Credentials come from the caller
 * ({@link AwsCredentials#chain}: instance metadata only with consent).
 */
public final class AwsPriceSource implements PriceSource, AutoCloseable {
  /** The Pricing API answers in us-east-1 (also ap-south-1, eu-central-1) whatever region is priced. */
  static final Region PRICING_REGION = Region.US_EAST_1;

  /**
   * How to reach AWS.
   *
   * @param credentials where credentials come from
   * @param ec2Endpoint an endpoint override for EC2 (tests: a loopback server), or null for AWS's
   * @param pricingEndpoint an endpoint override for the Pricing API, or null for AWS's
   * @param attemptTimeout one HTTP attempt at most this long
   * @param callTimeout one call, retries included, at most this long
   * @param maxAttempts attempts per call, retries included (the SDK's standard mode backs off between them)
   */
  public record Config(AwsCredentialsProvider credentials, URI ec2Endpoint, URI pricingEndpoint, Duration attemptTimeout,
      Duration callTimeout, int maxAttempts) {
    public static Config of(AwsCredentialsProvider credentials) {
      return new Config(credentials, null, null, Duration.ofSeconds(10), Duration.ofSeconds(30), 3);
    }
  }

  private final Config config;
  private final Clock clock;
  private final Map<String, Ec2Client> ec2 = new HashMap<>();
  private PricingClient pricing;

  public AwsPriceSource(Config config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Optional<InstancePrice> lookup(String instanceType, String region) {
    try {
      PriceQuote q = quote(instanceType, region);
      return q.isEmpty() ? Optional.empty() : Optional.of(PriceBook.toPrice(q, null, "aws-api", null));
    } catch (PriceFetchException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<InstancePrice> known() {
    return List.of();
  }

  /** Spot per zone and on-demand of a type, as AWS states them now. */
  public synchronized PriceQuote quote(String instanceType, String region) {
    Instant now = clock.instant();
    try {
      Map<String, BigDecimal> spot = spot(instanceType, region, now);
      BigDecimal ondemand = ondemand(instanceType, region);
      return new PriceQuote(instanceType, region, ondemand, spot, now);
    } catch (SdkException e) {
      throw classify(e);
    }
  }

  private Map<String, BigDecimal> spot(String instanceType, String region, Instant now) {
    Ec2Client client = ec2.computeIfAbsent(region, this::ec2Client);
    // with a start time of now, EC2 answers the price in effect in each zone now (and later changes, if any)
    var request = DescribeSpotPriceHistoryRequest.builder().instanceTypesWithStrings(instanceType)
        .productDescriptions("Linux/UNIX").startTime(now).build();
    Map<String, SpotPrice> latest = new HashMap<>();
    for (SpotPrice p : client.describeSpotPriceHistoryPaginator(request).spotPriceHistory()) {
      latest.merge(p.availabilityZone(), p, (a, b) -> b.timestamp().isAfter(a.timestamp()) ? b : a);
    }
    Map<String, BigDecimal> byZone = new HashMap<>();
    latest.forEach((zone, p) -> byZone.put(zone, usd(p.spotPrice(), "spot price in " + zone)));
    return byZone;
  }

  private BigDecimal ondemand(String instanceType, String region) {
    if (pricing == null) pricing = pricingClient();
    var request = GetProductsRequest.builder().serviceCode("AmazonEC2").formatVersion("aws_v1").maxResults(100).filters(
        term("instanceType", instanceType), term("location", locationName(region)), term("operatingSystem", "Linux"),
        term("tenancy", "Shared"), term("preInstalledSw", "NA"), term("capacitystatus", "Used")).build();
    List<String> products = new ArrayList<>();
    pricing.getProductsPaginator(request).priceList().forEach(products::add);
    return onDemandUsd(products);
  }

  /**
   * The on-demand USD/hour of the products GetProducts returned: the plain {@code RunInstances} (Linux) product's
   * positive hourly price; null when none has one.
   */
  static BigDecimal onDemandUsd(List<String> products) {
    BigDecimal any = null;
    for (String text : products) {
      JsonNode product;
      try {
        product = Json.MAPPER.readTree(text);
      } catch (IOException e) {
        continue;
      }
      BigDecimal usd = null;
      for (JsonNode term : product.path("terms").path("OnDemand")) {
        for (JsonNode dim : term.path("priceDimensions")) {
          String v = dim.path("pricePerUnit").path("USD").asText(null);
          if (v == null || v.isBlank()) continue;
          BigDecimal price = usd(v, "on-demand price");
          if (price.signum() > 0) usd = price;
        }
      }
      if (usd == null) continue;
      String operation = product.path("product").path("attributes").path("operation").asText("RunInstances");
      if (operation.equals("RunInstances")) return usd;
      if (any == null) any = usd;
    }
    return any;
  }

  /** A price as AWS wrote it; text that is no number (e.g. {@code NaN}) is an unusable answer, not a crash. */
  static BigDecimal usd(String text, String what) {
    if (text == null) throw PriceFetchException.invalidAnswer("answered no " + what);
    try {
      return new BigDecimal(text.trim()).stripTrailingZeros();
    } catch (RuntimeException e) {
      String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
      throw PriceFetchException.invalidAnswer("answered " + what + " \"" + shown + "\", which is no number ("
          + PriceQuote.VALID + ")");
    }
  }

  private static Filter term(String field, String value) {
    return Filter.builder().type(FilterType.TERM_MATCH).field(field).value(value).build();
  }

  private Ec2Client ec2Client(String region) {
    var b = Ec2Client.builder().region(Region.of(region)).credentialsProvider(config.credentials())
        .overrideConfiguration(overrides());
    if (config.ec2Endpoint() != null) b.endpointOverride(config.ec2Endpoint());
    return b.build();
  }

  private PricingClient pricingClient() {
    var b = PricingClient.builder().region(PRICING_REGION).credentialsProvider(config.credentials())
        .overrideConfiguration(overrides());
    if (config.pricingEndpoint() != null) b.endpointOverride(config.pricingEndpoint());
    return b.build();
  }

  private ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder().apiCallAttemptTimeout(config.attemptTimeout())
        .apiCallTimeout(config.callTimeout()).retryStrategy(b -> b.maxAttempts(config.maxAttempts())).build();
  }

  /** A short reason for the console: what AWS said, or what kept us from asking. */
  static PriceFetchException classify(SdkException e) {
    String reason;
    if (e instanceof AwsServiceException s && s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null) {
      String code = s.awsErrorDetails().errorCode();
      String lower = code.toLowerCase(java.util.Locale.ROOT);
      if (lower.contains("denied") || lower.contains("unauthorized") || lower.contains("authfailure")
          || lower.contains("signature") || lower.contains("token")) {
        reason = "denied (" + code + ")";
      } else if (s.isThrottlingException()) {
        reason = "throttled (" + code + ")";
      } else {
        reason = "error (" + code + ")";
      }
    } else if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      reason = "timed out";
    } else if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("credentials")) {
      reason = "no credentials";
    } else {
      reason = "unreachable (" + e.getClass().getSimpleName() + ")";
    }
    return new PriceFetchException(reason, e.getMessage(), e);
  }

  /** The Pricing API's {@code location} of a region, e.g. {@code US West (Oregon)} for {@code us-west-2}. */
  static String locationName(String region) {
    String known = LOCATIONS.get(region);
    if (known != null) return known;
    var meta = Region.of(region).metadata();
    return meta == null ? region : meta.description().replace("Europe (", "EU (");
  }

  private static final Map<String, String> LOCATIONS = Map.ofEntries(
      Map.entry("us-east-1", "US East (N. Virginia)"), Map.entry("us-east-2", "US East (Ohio)"),
      Map.entry("us-west-1", "US West (N. California)"), Map.entry("us-west-2", "US West (Oregon)"),
      Map.entry("ca-central-1", "Canada (Central)"), Map.entry("eu-west-1", "EU (Ireland)"),
      Map.entry("eu-west-2", "EU (London)"), Map.entry("eu-west-3", "EU (Paris)"),
      Map.entry("eu-central-1", "EU (Frankfurt)"), Map.entry("eu-north-1", "EU (Stockholm)"),
      Map.entry("eu-south-1", "EU (Milan)"), Map.entry("ap-northeast-1", "Asia Pacific (Tokyo)"),
      Map.entry("ap-northeast-2", "Asia Pacific (Seoul)"), Map.entry("ap-northeast-3", "Asia Pacific (Osaka)"),
      Map.entry("ap-southeast-1", "Asia Pacific (Singapore)"), Map.entry("ap-southeast-2", "Asia Pacific (Sydney)"),
      Map.entry("ap-south-1", "Asia Pacific (Mumbai)"), Map.entry("sa-east-1", "South America (Sao Paulo)"));

  @Override
  public synchronized void close() {
    ec2.values().forEach(Ec2Client::close);
    ec2.clear();
    if (pricing != null) pricing.close();
    pricing = null;
  }
}
