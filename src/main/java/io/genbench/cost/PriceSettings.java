package io.genbench.cost;

import io.genbench.Durations;
import io.genbench.UserError;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Where prices come from ({@code --prices}, {@code --price-cache}, {@code --price-ttl}), as given: {@link #open} reads
 * and checks them. auto (the default, or {@code GENBENCH_PRICES}): live when AWS credentials are found, else offline.
 *
 * @param mode {@code auto | live | offline}, or null for {@code GENBENCH_PRICES}, else auto
 * @param cache the price cache's directory, or null for {@link PriceCache#defaultDir()}
 * @param ttl how young a cached price is reused without asking AWS, e.g. {@code 1h}
 * @param endpoint for tests: both AWS endpoints (EC2 and Pricing) at one URL, or null
 */
public record PriceSettings(String mode, Path cache, String ttl, URI endpoint) {

  /** The price book of these settings; {@code instanceMetadata}: the user consented to the instance-metadata service. */
  public PriceBook open(boolean instanceMetadata) {
    String m = (mode != null ? mode : Optional.ofNullable(System.getenv("GENBENCH_PRICES")).filter(s -> !s.isBlank()).orElse("auto"))
        .toLowerCase(Locale.ROOT);
    PriceCache priceCache = new PriceCache(cache != null ? cache : PriceCache.defaultDir());
    PriceCatalog catalog = PriceCatalog.bundled();
    Duration ttlDuration = Durations.parse(ttl, "--price-ttl");
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
}
