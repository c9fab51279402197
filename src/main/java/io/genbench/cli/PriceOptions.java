package io.genbench.cli;

import io.genbench.cost.PriceBook;
import io.genbench.cost.PriceSettings;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where {@code run} and {@code price} take prices from: {@code --prices auto|live|offline}, the cache and its TTL
 * ({@link PriceSettings} reads them). auto (the default, or {@code GENBENCH_PRICES}): live when AWS credentials are
 * found, else offline.
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

  PriceSettings settings() {
    return new PriceSettings(mode, cache, ttl, endpoint);
  }

  /** The price book of these options; {@code instanceMetadata}: the user consented to the instance-metadata service. */
  PriceBook open(boolean instanceMetadata) {
    return settings().open(instanceMetadata);
  }
}
