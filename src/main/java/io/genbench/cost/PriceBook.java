package io.genbench.cost;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The prices a run uses, each fetched once: a cached quote younger than the TTL; else live from AWS (then cached);
 * else the cache at any age (when AWS could not be asked: older prices of the same market beat the catalog's
 * estimates); else the bundled catalog. The first failure of the live source stops asking it for the rest of the run
 * (a denied or unreachable API stays so for minutes), so a price lookup never stops or slows a run. Every price says
 * its source ({@code aws-api}, {@code cache}, {@code catalog}) and when it was fetched; {@link #summary()} says once
 * what happened. Every quote is checked before it is used ({@link PriceQuote#problem}: its own type and region, a fetch
 * time not in the future, prices above 0 and at most {@link PriceQuote#CEILING_USD_PER_HOUR}); one that fails is passed
 * over for the next source, and the summary says why.
 */
public final class PriceBook implements PriceSource, AutoCloseable {

  /** A quote with the source it came from. */
  public record Sourced(PriceQuote quote, String source, InstancePrice hardware) {}

  private final AwsPriceSource live;
  private final PriceCache cache;
  private final PriceCatalog catalog;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Optional<Sourced>> resolved = new LinkedHashMap<>();
  private String liveFailure;
  private final java.util.Set<String> rejected = new java.util.LinkedHashSet<>();
  private String offlineReason = "offline (cache and catalog only)";

  /**
   * @param live the AWS source, or null to stay offline (cache and catalog only)
   * @param cache the disk cache, or null for none
   * @param ttl how long a cached quote is used without asking AWS
   */
  public PriceBook(AwsPriceSource live, PriceCache cache, PriceCatalog catalog, Duration ttl, Clock clock) {
    this.live = live;
    this.cache = cache;
    this.catalog = catalog;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Why the book is offline, for {@link #summary()}, e.g. {@code no AWS credentials found}. */
  public PriceBook offlineBecause(String reason) {
    this.offlineReason = reason;
    return this;
  }

  /** The catalog alone: what genbench priced by before live prices. */
  public static PriceBook catalogOnly(PriceCatalog catalog) {
    return new PriceBook(null, null, catalog, Duration.ZERO, Clock.systemUTC());
  }

  @Override
  public Optional<InstancePrice> lookup(String instanceType, String region) {
    return lookup(instanceType, region, null);
  }

  @Override
  public Optional<InstancePrice> lookup(String instanceType, String region, String zone) {
    return quote(instanceType, region).map(s -> toPrice(s.quote(), zone, s.source(), s.hardware()));
  }

  @Override
  public List<InstancePrice> known() {
    return catalog.known();
  }

  /** The prices of a type with their source, fetched at most once per book; empty when no source knows it. */
  public synchronized Optional<Sourced> quote(String instanceType, String region) {
    String key = region + "/" + instanceType;
    Optional<Sourced> known = resolved.get(key);
    if (known == null) {
      known = resolve(instanceType, region);
      resolved.put(key, known);
    }
    return known;
  }

  private Optional<Sourced> resolve(String instanceType, String region) {
    InstancePrice hardware = catalog.lookup(instanceType, null).orElse(null);
    Instant now = clock.instant();
    String key = region + "/" + instanceType;
    Optional<PriceQuote> cached = cache == null ? Optional.empty() : cache.read(instanceType, region, rejected::add);
    if (cached.isPresent()) {
      Optional<String> bad = cached.get().problem(instanceType, region, now);
      if (bad.isPresent()) {
        rejected.add("ignored the price cache entry " + cache.fileOf(instanceType, region) + ": " + bad.get());
        cached = Optional.empty();
      }
    }
    if (live != null && cached.isPresent() && !Duration.between(cached.get().fetchedAt(), now).minus(ttl).isPositive()) {
      return Optional.of(new Sourced(cached.get(), "cache", hardware));
    }
    if (live != null && liveFailure == null) {
      try {
        PriceQuote q = live.quote(instanceType, region);
        if (!q.isEmpty()) {
          Optional<String> bad = q.problem(instanceType, region, now);
          if (bad.isEmpty()) {
            if (cache != null) cache.write(q);
            return Optional.of(new Sourced(q, "aws-api", hardware));
          }
          rejected.add("ignored the AWS API's answer for " + key + ": " + bad.get());
        }
      } catch (PriceFetchException e) {
        // an unusable answer for one type leaves the API in use for the others; a failed call does not
        if (e.invalidAnswer()) rejected.add("ignored the AWS API's answer for " + key + ": it " + e.reason());
        else liveFailure = e.reason();
      }
    }
    if (cached.isPresent() && !cached.get().isEmpty()) return Optional.of(new Sourced(cached.get(), "cache", hardware));
    return catalog.lookup(instanceType, region).map(p -> new Sourced(new PriceQuote(instanceType, region,
        p.ondemandUsdPerHour(), Map.of(), null), "catalog", p));
  }

  /** The prices that were found and not used, each with why (e.g. a cache entry with a negative price); said once. */
  public synchronized List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** Why the live source was given up, e.g. {@code denied (AccessDenied)}; empty when it answered or was not used. */
  public synchronized Optional<String> liveFailure() {
    return Optional.ofNullable(liveFailure);
  }

  /**
   * One line on where the prices came from, e.g. {@code prices: AWS API denied (UnauthorizedOperation); using the
   * bundled catalog of 2026-11-01 for g5.xlarge, g6e.xlarge}.
   */
  public synchronized String summary() {
    Map<String, TreeSet<String>> bySource = new LinkedHashMap<>();
    Instant oldestCache = null;
    for (Optional<Sourced> s : resolved.values()) {
      if (s.isEmpty()) continue;
      bySource.computeIfAbsent(s.get().source(), k -> new TreeSet<>()).add(s.get().quote().instanceType());
      if (s.get().source().equals("cache")) {
        Instant at = s.get().quote().fetchedAt();
        if (oldestCache == null || at.isBefore(oldestCache)) oldestCache = at;
      }
    }
    List<String> parts = new ArrayList<>();
    if (bySource.containsKey("aws-api")) parts.add("live AWS prices for " + String.join(", ", bySource.get("aws-api")));
    if (bySource.containsKey("cache")) {
      parts.add("cached AWS prices (" + cache.dir() + ", fetched " + age(oldestCache) + " ago or less) for "
          + String.join(", ", bySource.get("cache")));
    }
    if (bySource.containsKey("catalog")) {
      parts.add("the bundled catalog of " + catalog.asOf() + " (" + catalog.region() + ") for " + String.join(", ", bySource.get("catalog")));
    }
    List<String> none = resolved.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(e -> e.getKey()).toList();
    if (!none.isEmpty()) parts.add("no price for " + String.join(", ", none));
    String head = live == null ? offlineReason : liveFailure != null ? "AWS API " + liveFailure : null;
    String using = parts.isEmpty() ? "nothing priced yet" : String.join("; ", parts);
    String ignored = rejected.isEmpty() ? "" : "; " + String.join("; ", rejected);
    return "prices: " + (head == null ? "using " + using : head + "; using " + using) + ignored;
  }

  @Override
  public void close() {
    if (live != null) live.close();
  }

  /** Whole units, e.g. {@code 3 h}, {@code 12 min}, {@code 40 s}. */
  public String age(Instant fetchedAt) {
    if (fetchedAt == null) return "?";
    long s = Math.max(0, Duration.between(fetchedAt, clock.instant()).toSeconds());
    if (s < 120) return s + " s";
    if (s < 7200) return (s / 60) + " min";
    if (s < 172800) return (s / 3600) + " h";
    return (s / 86400) + " d";
  }

  /** The quote as the price a run stores: the zone's spot price when known, else the lowest zone's. */
  static InstancePrice toPrice(PriceQuote q, String zone, String source, InstancePrice hardware) {
    String asOf = q.fetchedAt() != null ? q.fetchedAt().toString() : hardware != null ? hardware.asOf() : null;
    // the catalog has one (estimated) spot price per type, no zones
    var spot = source.equals("catalog") && hardware != null ? hardware.spotUsdPerHour() : q.spotUsdPerHour(zone);
    return new InstancePrice(q.instanceType(), q.region(), q.ondemandUsdPerHour(), spot, source, asOf,
        hardware == null ? null : hardware.gpu(), hardware == null ? 0 : hardware.gpus(),
        hardware == null ? 0 : hardware.gpuMemoryGb(), hardware == null ? 0 : hardware.vcpus(),
        hardware == null ? 0 : hardware.memoryGib());
  }
}
