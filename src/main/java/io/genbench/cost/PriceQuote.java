package io.genbench.cost;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The prices of one instance type in one region as one source gave them: on-demand, and spot per availability zone.
 *
 * @param instanceType e.g. {@code g5.xlarge}
 * @param region e.g. {@code us-west-2}
 * @param ondemandUsdPerHour on-demand (Linux, shared tenancy) USD per hour, or null when the source had none
 * @param spotUsdPerHourByZone the latest spot price (Linux/UNIX) of each zone, USD per hour; empty when none
 * @param fetchedAt when the prices were read from AWS (a cached quote keeps the time of its fetch)
 */
public record PriceQuote(String instanceType, String region, BigDecimal ondemandUsdPerHour,
    Map<String, BigDecimal> spotUsdPerHourByZone, Instant fetchedAt) {

  /** No instance type costs this much per hour (the largest AWS instances cost a few hundred): above it, a price is wrong. */
  public static final BigDecimal CEILING_USD_PER_HOUR = new BigDecimal("1000");

  /** How far a fetch time may lie ahead of this machine's clock (clocks differ a little): beyond, the time is wrong. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** What a usable hourly price is, for messages. */
  public static final String VALID = "valid: a number > 0 and at most " + CEILING_USD_PER_HOUR + " USD/h";

  public PriceQuote {
    spotUsdPerHourByZone = java.util.Collections.unmodifiableMap(new TreeMap<>(spotUsdPerHourByZone));
  }

  /**
   * The spot price of a zone, or when the zone is unknown (null) or has no price, the lowest of the zones: spot
   * capacity is placed where it is cheap and plentiful, so the lowest zone is what a flexible request tends to pay.
   */
  public BigDecimal spotUsdPerHour(String zone) {
    if (zone != null && spotUsdPerHourByZone.containsKey(zone)) return spotUsdPerHourByZone.get(zone);
    return spotUsdPerHourByZone.values().stream().min(BigDecimal::compareTo).orElse(null);
  }

  /**
   * Why this quote cannot price {@code type} in {@code region} at {@code now}, or empty when it can: it must be the
   * quote of that type and region, fetched at a known time not in the future (beyond {@link #CLOCK_SKEW}), and every
   * price in it must be above 0 and at most {@link #CEILING_USD_PER_HOUR} (a negative price would rank first by cost,
   * an absurd one would drown every figure).
   */
  public Optional<String> problem(String type, String region, Instant now) {
    if (!type.equals(instanceType)) return Optional.of("it prices instance type \"" + instanceType + "\", not " + type);
    if (!region.equals(this.region)) return Optional.of("it prices region \"" + this.region + "\", not " + region);
    if (fetchedAt == null) return Optional.of("it has no fetched_at time");
    if (fetchedAt.isAfter(now.plus(CLOCK_SKEW))) {
      return Optional.of("it was fetched at " + fetchedAt + ", in the future (now " + now + ")");
    }
    if (ondemandUsdPerHour != null) {
      Optional<String> bad = badPrice(ondemandUsdPerHour, "on-demand price");
      if (bad.isPresent()) return bad;
    }
    for (var e : spotUsdPerHourByZone.entrySet()) {
      if (e.getValue() == null) return Optional.of("spot price in " + e.getKey() + " is missing");
      Optional<String> bad = badPrice(e.getValue(), "spot price in " + e.getKey());
      if (bad.isPresent()) return bad;
    }
    return Optional.empty();
  }

  /** Why {@code usd} is no hourly price ({@code what}, e.g. {@code spot price in us-west-2a}), or empty. */
  static Optional<String> badPrice(BigDecimal usd, String what) {
    if (usd.signum() <= 0 || usd.compareTo(CEILING_USD_PER_HOUR) > 0) {
      return Optional.of(what + " " + usd.toPlainString() + " USD/h is out of range (" + VALID + ")");
    }
    return Optional.empty();
  }

  /** Nothing priced: neither on-demand nor any zone's spot. */
  public boolean isEmpty() {
    return ondemandUsdPerHour == null && spotUsdPerHourByZone.isEmpty();
  }
}
