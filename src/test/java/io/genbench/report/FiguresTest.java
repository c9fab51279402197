package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(GermanLocale.class)
final class FiguresTest {
  @Test
  void writesCostsWithFourSignificantDigitsAndAtLeastTwoDecimals() {
    assertThat(Figures.money(io.genbench.cost.CostModel.round(new BigDecimal("1.2843")))).isEqualTo("1.284");
    assertThat(Figures.money(new BigDecimal("0.015"))).isEqualTo("0.015");
    assertThat(Figures.money(new BigDecimal("12.5"))).isEqualTo("12.50");
    assertThat(Figures.money(io.genbench.cost.CostModel.round(new BigDecimal("1234.56")))).isEqualTo("1235.00");
  }

  @Test
  void keepsFourSignificantDigitsForCostsBelowOneCent() {
    assertThat(Figures.money(io.genbench.cost.CostModel.round(new BigDecimal("0.000836111111")))).isEqualTo("0.0008361");
    assertThat(Figures.money(BigDecimal.ZERO)).isEqualTo("0.00");
  }

  @Test
  void writesPricesAsGivenWithAtLeastThreeDecimals() {
    assertThat(Figures.price(new BigDecimal("0.301"))).isEqualTo("0.301");
    assertThat(Figures.price(new BigDecimal("0.50"))).isEqualTo("0.500");
    assertThat(Figures.price(new BigDecimal("0.40240"))).isEqualTo("0.4024");
    assertThat(Figures.price(new BigDecimal("21.96"))).isEqualTo("21.960");
  }

  @Test
  void neverWritesADecimalCommaUnderAGermanLocale() {
    assertThat(Figures.seconds(15.2)).isEqualTo("15.200");
    assertThat(Figures.millis(1_518_204_311)).isEqualTo("1518.204");
  }

  @Test
  void quotesCsvFieldsThatHoldCommasOrQuotes() {
    assertThat(Figures.csvLine(List.of("a", "b,c", "say \"hi\"", ""))).isEqualTo("a,\"b,c\",\"say \"\"hi\"\"\",\n");
  }
}
