package io.genbench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.PriceCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The capacity section's lines, sealed by {@code golden/capacity-section.md} (rewrite with -Dgenbench.golden.update=true). */
final class CapacityReportTest {
  private static final InstancePrice G5 = PriceCatalog.bundled().lookup("g5.xlarge", "us-east-1").orElseThrow();
  private Locale saved;

  @BeforeEach
  void germanLocale() {
    saved = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
  }

  @AfterEach
  void restoreLocale() {
    Locale.setDefault(saved);
  }

  @Test
  void theSectionOfAnImageServersSearchMatchesTheGoldenFile() throws IOException {
    Slo slo = Slo.parse("p95<=4s,error_rate<=1%", "--slo");
    var server = SimulatedServer.evenArrivals(0.37, 100).countingGoodputAgainst(slo);
    CapacityResult result = new CapacitySearch(slo,
        new LevelValidity.Rules(0.98, 0.01, 0.9, 0, 50), CapacitySearch.Settings.startingAt(1), () -> 0L).search(server);

    String md = CapacityReport.markdown(result, CapacityCost.of(result, G5));

    assertMatchesGolden("capacity-section.md", md);
  }

  @Test
  void theSectionOfAGeneratorBoundSearchWithAFailedReplicateMatchesTheGoldenFile() throws IOException {
    Slo slo = Slo.parse("ttft_p99<=500ms,tpot_p50<=50ms", "--slo");
    int[] level = {0};
    LevelProbe llm = rate -> {
      level[0]++;
      double ttft = rate <= (level[0] >= 9 ? 16 : 17.9) ? 0.3 : 0.8; // the server slows from the 9th level on
      var requests = java.util.stream.IntStream.range(0, 100).mapToObj(i -> i == 99 && rate > 17
          ? RequestTimes.failed(1, 1, "timeout") : RequestTimes.llm(2, 1.9, ttft, 0.04, 50)).toList();
      double cpu = rate > 18 ? 0.95 : 0.3; // the generator saturates above 18 req/s
      return LevelFigures.of(requests, new LevelFacts(rate, 100 / rate, 0.0002, cpu), slo);
    };
    CapacityResult result = new CapacitySearch(slo, new LevelValidity.Rules(0.98, 0.01, 0.9, 0, 50),
        CapacitySearch.Settings.startingAt(5).withResolution(0.5, 0), () -> 0L).search(llm);

    String md = CapacityReport.markdown(result, CapacityCost.of(result, G5));

    assertMatchesGolden("capacity-section-generator-bound.md", md);
  }

  @Test
  void aSearchWithoutAPassingRateSaysSoAndHasNoCost() {
    var server = SimulatedServer.evenArrivals(0.37, 100);
    CapacityResult result = new CapacitySearch(Slo.parse("p95<=1s", "--slo"), new LevelValidity.Rules(0.98, 0.01, 0.9, 0, 50),
        CapacitySearch.Settings.startingAt(1).withRates(0.2, 10), () -> 0L).search(server);

    String md = CapacityReport.markdown(result, CapacityCost.of(result, G5));

    assertThat(md).contains("| Maximum sustainable rate | none: no rate passed |")
        .contains("| Binding constraint | response_p95<=1s: 2.7 s at 0.25 req/s |").doesNotContain("Cost").doesNotContain("Goodput");
  }

  private static void assertMatchesGolden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("genbench.golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", name), actual, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = CapacityReportTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden/" + name + " (run with -Dgenbench.golden.update=true)").isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
