package io.genbench.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
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

  /** Nothing priced: neither on-demand nor any zone's spot. */
  public boolean isEmpty() {
    return ondemandUsdPerHour == null && spotUsdPerHourByZone.isEmpty();
  }
}
