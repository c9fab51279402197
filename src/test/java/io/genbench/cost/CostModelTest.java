package io.genbench.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

final class CostModelTest {

  @Test
  void costPerThousandImagesIncludesTheModelLoadOnce() {
    // the seed's example: $0.301/h, 15.2 s/image, 28.5 s load: 0.301 * (15200 + 28.5) / 3600 = 1.2733
    BigDecimal cost = CostModel.costPer1000Images(new BigDecimal("0.301"), 15.2, 28.5);

    assertThat(cost).isEqualByComparingTo("1.273"); // 1.27330..., rounded once to 4 significant digits
  }

  @Test
  void unknownPriceHasNoCost() {
    assertThat(CostModel.costPer1000Images(null, 1.0, 1.0)).isNull();
  }

  @Test
  void costEfficiencyIsThePricePerSecondShared() {
    assertThat(CostModel.usdPerSecondPerImage(new BigDecimal("0.301"), 1).doubleValue()).isBetween(0.0000836, 0.0000837);
    assertThat(CostModel.usdPerSecondPerImage(new BigDecimal("0.36"), 4).doubleValue()).isEqualTo(0.000025);
  }

  @Test
  void spotSavingIsAgainstOnDemand() {
    assertThat(CostModel.spotSavingsPct(new BigDecimal("0.301"), new BigDecimal("1.006"))).isEqualByComparingTo("70.08");
  }

  @Test
  void theBundledCatalogPricesTheSeedInstanceTypesWithItsDate() {
    PriceCatalog catalog = PriceCatalog.bundled();

    for (String type : new String[] {"g4dn.xlarge", "g4dn.2xlarge", "g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6.2xlarge",
        "g6e.xlarge", "g6e.2xlarge", "p4d.24xlarge", "p5.48xlarge", "p5e.48xlarge", "p5en.48xlarge", "m7i.large"}) {
      InstancePrice p = catalog.lookup(type, "us-east-1").orElseThrow(() -> new AssertionError(type));
      assertThat(p.ondemandUsdPerHour()).as(type).isPositive();
      assertThat(p.spotUsdPerHour()).as(type).isLessThan(p.ondemandUsdPerHour());
      assertThat(p.source()).isEqualTo("catalog");
      assertThat(p.asOf()).isEqualTo(catalog.asOf());
    }
    assertThat(catalog.description()).contains("us-east-1");
  }

  @Test
  void theCatalogDoesNotPretendToKnowOtherRegions() {
    assertThat(PriceCatalog.bundled().lookup("g5.xlarge", "eu-west-1")).isEmpty();
  }

  @Test
  void costPerMillionTokensIncludesTheModelLoadOnce() {
    // 3.6 $/h, 1000 tokens/s, 10 s load: 3.6 * (1000 s + 10 s) / 3600 = 1.01
    assertThat(CostModel.costPerMillionTokens(new BigDecimal("3.6"), 1000.0, 10.0)).isEqualByComparingTo("1.01");
    assertThat(CostModel.costPerMillionTokens(new BigDecimal("3.6"), null, 10.0)).isNull();
  }
}
