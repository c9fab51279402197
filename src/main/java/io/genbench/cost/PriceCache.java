package io.genbench.cost;

import io.genbench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * Live quotes on disk, one file per region and instance type ({@code <dir>/<region>/<type>.json}), so a run reuses
 * prices fetched within the TTL instead of asking AWS again, and falls back to the last fetched prices when AWS cannot
 * be asked. A quote keeps the time of its fetch: its age is always known. An unreadable file is no entry.
 */
public final class PriceCache {
  private final Path dir;

  public PriceCache(Path dir) {
    this.dir = dir;
  }

  /** The default folder of this process: {@link #defaultDir(Map, Path)} of its environment and {@code user.home}. */
  public static Path defaultDir() {
    return defaultDir(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * The default folder: {@code GENBENCH_PRICE_CACHE}, else {@code $XDG_CACHE_HOME/genbench/prices} where
   * {@code XDG_CACHE_HOME} is an absolute path, else {@code ~/.cache/genbench/prices} with {@code ~} from {@code HOME},
   * else from {@code userHome} (Java's {@code user.home}, which comes from the password database, not {@code HOME}).
   */
  public static Path defaultDir(Map<String, String> env, Path userHome) {
    String own = env.get("GENBENCH_PRICE_CACHE");
    if (own != null && !own.isBlank()) return Path.of(own);
    String xdg = env.get("XDG_CACHE_HOME");
    String home = env.get("HOME");
    Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
        : (home != null && !home.isBlank() ? Path.of(home) : userHome).resolve(".cache");
    return base.resolve("genbench").resolve("prices");
  }

  public Path dir() {
    return dir;
  }

  public Optional<PriceQuote> read(String instanceType, String region) {
    return read(instanceType, region, why -> {});
  }

  /**
   * The cached quote of a type, or empty; a file that exists but cannot be read as a quote is no entry, and
   * {@code problems} is told why (naming the file) so the caller can say it once.
   */
  public Optional<PriceQuote> read(String instanceType, String region, java.util.function.Consumer<String> problems) {
    Path file = file(instanceType, region);
    if (!Files.exists(file)) return Optional.empty();
    if (!Files.isRegularFile(file)) {
      problems.accept("ignored the price cache entry " + file + ": not a regular file");
      return Optional.empty();
    }
    try {
      if (Files.size(file) > MAX_BYTES) {
        problems.accept("ignored the price cache entry " + file + ": larger than " + MAX_BYTES + " bytes");
        return Optional.empty();
      }
      return Optional.of(Json.MAPPER.readValue(file.toFile(), PriceQuote.class));
    } catch (IOException | RuntimeException e) {
      String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      problems.accept("ignored the price cache entry " + file + ": cannot read it as a quote (" + msg + ")");
      return Optional.empty();
    }
  }

  /** A quote is a few hundred bytes; a larger file is not one of ours. */
  private static final long MAX_BYTES = 1 << 20;

  /** Where the quote of a type is kept, for messages. */
  public Path fileOf(String instanceType, String region) {
    return file(instanceType, region);
  }

  /** Stores a quote (temporary file + rename); a cache that cannot be written is only a slower next run. */
  public void write(PriceQuote quote) {
    Path file = file(quote.instanceType(), quote.region());
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".quote", ".tmp");
      Files.writeString(tmp, Json.PRETTY.writeValueAsString(quote));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      // not fatal: the price is used anyway, only not remembered
    }
  }

  private Path file(String instanceType, String region) {
    return dir.resolve(safe(region)).resolve(safe(instanceType) + ".json");
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
