package io.genbench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PriceCacheTest {
  private static final Path USER_HOME = Path.of("/home/ada");

  @Test
  void withNothingSetTheCacheIsUnderJavasUserHome() {
    assertThat(PriceCache.defaultDir(Map.of(), USER_HOME)).isEqualTo(Path.of("/home/ada/.cache/genbench/prices"));
  }

  @Test
  void theHomeIsTakenFromHomeNotFromJavasUserHome() {
    assertThat(PriceCache.defaultDir(Map.of("HOME", "/elsewhere"), USER_HOME))
        .isEqualTo(Path.of("/elsewhere/.cache/genbench/prices"));
  }

  @Test
  void anAbsoluteXdgCacheHomeWinsOverHomeAndARelativeOneIsIgnored() {
    assertThat(PriceCache.defaultDir(Map.of("HOME", "/elsewhere", "XDG_CACHE_HOME", "/cache"), USER_HOME))
        .isEqualTo(Path.of("/cache/genbench/prices"));
    assertThat(PriceCache.defaultDir(Map.of("HOME", "/elsewhere", "XDG_CACHE_HOME", "cache"), USER_HOME))
        .isEqualTo(Path.of("/elsewhere/.cache/genbench/prices"));
  }

  @Test
  void genbenchPriceCacheWinsOverEverything() {
    assertThat(PriceCache.defaultDir(Map.of("GENBENCH_PRICE_CACHE", "/p", "XDG_CACHE_HOME", "/cache"), USER_HOME))
        .isEqualTo(Path.of("/p"));
  }
}
