package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.cost.AwsCredentials;
import io.genbench.cost.AwsPriceSource;
import io.genbench.cost.PriceBook;
import io.genbench.cost.PriceCache;
import io.genbench.cost.PriceCatalog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where {@code run} and {@code price} take prices from: {@code --prices auto|live|offline}, the cache and its TTL.
 * auto (the default, or {@code GENBENCH_PRICES}): live when AWS credentials are found, else offline.
 */
final class PriceOptions {
  @Option(names = "--prices", paramLabel = "MODE", description = "auto | live (AWS APIs, then the cache, then the bundled"
      + " catalog) | offline (cache, then catalog; no network). auto: live when AWS credentials are found, else offline"
      + " (default: GENBENCH_PRICES, else auto)")
  String mode;

  @Option(names = "--price-cache", paramLabel = "DIR", description = "where fetched prices are kept (default:"
      + " GENBENCH_PRICE_CACHE, else $XDG_CACHE_HOME/genbench/prices, else $HOME/.cache/genbench/prices)")
  Path cache;

  @Option(names = "--price-ttl", paramLabel = "DURATION", defaultValue = "1h", description = "reuse cached prices this"
      + " young without asking AWS, e.g. 30m, 6h (default: ${DEFAULT-VALUE})")
  String ttl;

  /** For tests: both AWS endpoints (EC2 and Pricing) at one URL, e.g. a loopback fake. */
  @Option(names = "--aws-endpoint", hidden = true, paramLabel = "URL")
  URI endpoint;

  /** The price book of these options; {@code instanceMetadata}: the user consented to the instance-metadata service. */
  PriceBook open(boolean instanceMetadata) {
    String m = (mode != null ? mode : Optional.ofNullable(System.getenv("GENBENCH_PRICES")).filter(s -> !s.isBlank()).orElse("auto"))
        .toLowerCase(Locale.ROOT);
    PriceCache priceCache = new PriceCache(cache != null ? cache : PriceCache.defaultDir());
    PriceCatalog catalog = PriceCatalog.bundled();
    Duration ttlDuration = parseDuration(ttl, "--price-ttl");
    // offline touches nothing of the AWS SDK: a runtime without its jars (a carried one on a GPU host) can price offline
    if (m.equals("offline")) return new PriceBook(null, priceCache, catalog, ttlDuration, Clock.systemUTC());
    var credentials = AwsCredentials.chain(instanceMetadata);
    switch (m) {
      case "auto": {
        Optional<String> missing = AwsCredentials.missing(credentials);
        if (missing.isPresent()) {
          return new PriceBook(null, priceCache, catalog, ttlDuration, Clock.systemUTC()).offlineBecause(missing.get());
        }
        break;
      }
      case "live":
        break;
      default:
        throw new UserError("Unknown --prices \"" + m + "\". Known: auto, live, offline.");
    }
    var config = AwsPriceSource.Config.of(credentials);
    if (endpoint != null) {
      config = new AwsPriceSource.Config(credentials, endpoint, endpoint, config.attemptTimeout(), config.callTimeout(), config.maxAttempts());
    }
    return new PriceBook(new AwsPriceSource(config, Clock.systemUTC()), priceCache, catalog, ttlDuration, Clock.systemUTC());
  }

  /**
   * The one check of what a run prices by, before it starts: every requested type and the actual instance must be
   * priced by some source (live, cache or catalog), else every cost would be N/A ({@code refuse}: false for a resumed
   * run, which goes on whatever the prices). Says once where prices came from.
   */
  static void requirePriced(PriceBook book, String region, List<String> types, String actualInstance, String plan, boolean refuse) {
    PriceCatalog catalog = PriceCatalog.bundled();
    List<String[]> all = new java.util.ArrayList<>();
    types.forEach(t -> all.add(new String[] {t, plan}));
    if (actualInstance != null) all.add(new String[] {actualInstance, "--actual-instance"});
    for (String[] t : all) {
      if (book.quote(t[0], region).isEmpty() && refuse) refuseUnpriced(book, catalog, region, t[0], t[1]);
    }
    System.err.println("genbench: " + book.summary());
  }

  /**
   * Exits 2 for a type no source prices, in one message: a region the catalog does not price is named with the regions
   * it has and why no live price came (before, "using no price" was printed, then the region error).
   */
  static void refuseUnpriced(PriceBook book, PriceCatalog catalog, String region, String type, String origin) {
    if (!catalog.region().equals(region)) {
      try {
        catalog.requireRegion(region, "--region");
      } catch (UserError e) {
        throw new UserError(e.getMessage() + " No live price either: " + book.summary().replaceFirst("^prices: ", "") + ".");
      }
    }
    System.err.println("genbench: " + book.summary());
    catalog.requireInstanceType(type, origin);
  }

  /**
   * A positive duration an option gives: {@code 90s}, {@code 30m}, {@code 6h}, {@code 2d}, or ISO-8601 ({@code PT6H}).
   *
   * @param option the option's name, for the message, e.g. {@code --price-ttl}
   */
  static Duration parseDuration(String text, String option) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (t.startsWith("p")) {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } else {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        d = switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          case 'd' -> Duration.ofDays(n);
          default -> throw new NumberFormatException();
        };
      }
    } catch (RuntimeException e) {
      throw new UserError("Cannot read " + option + " \"" + text + "\": give a positive number with s, m, h or d, e.g. 6h.");
    }
    if (!d.isPositive()) {
      throw new UserError(option + " must be positive, was \"" + text + "\": give a positive number with s, m, h or d, e.g. 6h.");
    }
    return d;
  }
}
