package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.PriceCatalog;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

final class CapacityCostTest {
  private static final InstancePrice G5 = PriceCatalog.bundled().lookup("g5.xlarge", "us-east-1").orElseThrow();

  @Test
  void costPer1000ImagesIsTheHourlyPriceOverTheImagesAnHourYields() {
    CapacityCost cost = CapacityCost.at(0.25, 0.5, 0, 0.25, G5);

    // 1000 images at 0.5 images/s take 2000 s: 1.006 × 2000 / 3600 = 0.55888… → 0.5589; spot 0.4024 × 2000 / 3600 = 0.22355… → 0.2236
    assertThat(cost.unit()).isEqualTo(CapacityCost.Unit.PER_1000_IMAGES);
    assertThat(cost.ondemandUsd()).isEqualByComparingTo(new BigDecimal("0.5589"));
    assertThat(cost.spotUsd()).isEqualByComparingTo(new BigDecimal("0.2236"));
    assertThat(cost.priceSource()).isEqualTo("g5.xlarge in us-east-1, catalog of 2026-11-01");
  }

  @Test
  void costPerMillionTokensIsTheHourlyPriceOverTheTokensAnHourYields() {
    CapacityCost cost = CapacityCost.at(4, 0, 1000, 4, G5);

    // 10⁶ tokens at 1000 tokens/s take 1000 s: 1.006 × 1000 / 3600 = 0.27944… → 0.2794; spot 0.4024 × 1000 / 3600 = 0.11177… → 0.1118
    assertThat(cost.unit()).isEqualTo(CapacityCost.Unit.PER_MILLION_TOKENS);
    assertThat(cost.ondemandUsd()).isEqualByComparingTo(new BigDecimal("0.2794"));
    assertThat(cost.spotUsd()).isEqualByComparingTo(new BigDecimal("0.1118"));
  }

  @Test
  void aServerOfNeitherImagesNorTokensIsPricedPer1000Requests() {
    var price = new InstancePrice("x", "r", new BigDecimal("3.6"), null, "aws-api", "2026-12-01T00:00:00Z", null, 0, 0, 0, 0);

    CapacityCost cost = CapacityCost.at(2, 0, 0, 2, price);

    // 1000 requests at 2 req/s take 500 s: 3.6 × 500 / 3600 = 0.5; no spot price
    assertThat(cost.unit()).isEqualTo(CapacityCost.Unit.PER_1000_REQUESTS);
    assertThat(cost.ondemandUsd()).isEqualByComparingTo(new BigDecimal("0.5"));
    assertThat(cost.spotUsd()).isNull();
    assertThat(cost.priceSource()).isEqualTo("x in r, aws-api of 2026-12-01T00:00:00Z");
  }

  @Test
  void theCostOfASearchIsTakenAtItsAnswerAndNoneWithoutOne() {
    var server = SimulatedServer.evenArrivals(0.5, 100);
    CapacityResult result = new CapacitySearch(Slo.parse("p95<=4s", "--slo"), new LevelValidity.Rules(0.98, 0.01, 0.9, 0, 10),
        CapacitySearch.Settings.startingAt(0.25), () -> 0L).search(server);
    CapacityResult none = new CapacitySearch(Slo.parse("p95<=1s", "--slo"), new LevelValidity.Rules(0.98, 0.01, 0.9, 0, 10),
        CapacitySearch.Settings.startingAt(0.25).withRates(0.1, 1e6), () -> 0L).search(server);

    CapacityCost cost = CapacityCost.of(result, G5);

    assertThat(cost.requestRate()).isEqualTo(result.lastPassingRate());
    assertThat(cost.outputPerSecond()).isEqualTo(result.atAnswer().imagesPerSecond());
    assertThat(cost.ondemandUsd()).isEqualByComparingTo(io.genbench.cost.CostModel.costPer1000Images(new BigDecimal("1.006"),
        1 / result.atAnswer().imagesPerSecond(), 0));
    assertThat(CapacityCost.of(none, G5)).isNull();
  }
}
