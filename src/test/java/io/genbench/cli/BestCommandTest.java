package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.rank.BestConfigurations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code genbench best} on the committed runs, against the answer a hand calculation gives: filter and sort the run's own
 * results.json (its stored figures, not genbench's recomputation).
 */
final class BestCommandTest {
  static final Path SEED000 = Path.of("bench/example-h100-seed000");
  static final Path VERDICTS = Path.of("bench/example-h200-verdicts");

  /** The hand calculation: SUCCESS (and VALID unless {@code includeInvalid}) cases within both limits, cheapest first. */
  static List<String> expected(Path run, double p95Ms, double memoryGb, String lifecycle, boolean includeInvalid) throws IOException {
    record Row(String id, double cost) {}
    List<Row> rows = new ArrayList<>();
    for (JsonNode c : Json.MAPPER.readTree(run.resolve("results.json").toFile()).path("cases")) {
      if (!"SUCCESS".equals(c.path("status").asText())) continue;
      if (!includeInvalid && !c.path("verdict").path("valid").asBoolean()) continue;
      if (c.path("latency").path("e2e").path("p95_ns").asDouble() / 1e6 > p95Ms) continue;
      if (c.path("memory").path("peak_reserved_bytes").asDouble() / 1e9 > memoryGb) continue;
      rows.add(new Row(c.path("case_id").asText(), c.path("cost").path("cost_1000_images_" + lifecycle + "_usd").asDouble()));
    }
    return rows.stream().sorted(Comparator.comparingDouble(Row::cost)).map(Row::id).toList();
  }

  static List<String> picked(Cli r) throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode p : Json.MAPPER.readTree(r.out()).path("images")) ids.add(p.path("case_id").asText());
    return ids;
  }

  @ParameterizedTest(name = "--lifecycle {0}")
  @ValueSource(strings = {"ondemand", "spot"})
  void onTheSeed000RunItPicksWhatAHandCalculationPicks(String lifecycle) throws IOException {
    Cli r = Cli.run("best", SEED000.toString(), "--include-invalid", "--p95-ms", "3000", "--max-memory-gb", "45",
        "--lifecycle", lifecycle, "--format", "json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> expected = expected(SEED000, 3000, 45, lifecycle, true);
    assertThat(expected).containsExactly("sd-2-1-p548xlarge-b4-s20-1024x1024-float16", "sd-2-1-p548xlarge-b1-s20-1024x1024-float16");
    assertThat(picked(r)).isEqualTo(expected);
  }

  @Test
  void eachPickShowsTheFiguresItRestsOnAndEachMissSaysWhichLimitAndByHowMuch() throws IOException {
    Cli r = Cli.run("best", SEED000.toString(), "--include-invalid", "--p95-ms", "3000", "--max-memory-gb", "45");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("| 1 | `sd-2-1-p548xlarge-b4-s20-1024x1024-float16` | 1.343 | 2812.1 ms | 22.27 GB (cuda-reserved) | 0.703 | INVALID |")
        .contains("`sdxl-p548xlarge-b1-s20-float16`: peak memory 52.93 GB (cuda-reserved) > 45 GB, by 7.93 GB (17.6 %)")
        .contains("`sdxl-p548xlarge-b4-s20-float16`: e2e P95 3371.5 ms > 3000 ms, by 371.5 ms (12.4 %)");
  }

  @Test
  void withoutIncludeInvalidEverySeed000CaseIsExcludedForItsVerdictAndItExitsThree() {
    Cli r = Cli.run("best", SEED000.toString(), "--p95-ms", "3000");

    assertThat(r.exitCode()).isEqualTo(ExitCode.NOTHING_MEETS.code());
    assertThat(r.out()).contains("Nothing meets the constraints.")
        .contains("`sdxl-p548xlarge-b1-s20-float16`: INVALID: only 3 measured iterations");
  }

  @Test
  void onTheVerdictsRunOnlyValidCasesCountAndInvalidOnesAreExcludedWithTheirReason() throws IOException {
    Cli r = Cli.run("best", VERDICTS.toString(), "--p95-ms", "900", "--max-memory-gb", "80", "--format", "json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(picked(r)).isEqualTo(expected(VERDICTS, 900, 80, "ondemand", false))
        .containsExactly("sd-2-1-p5e48xlarge-b1-s20-float16", "sd-2-1-p5e48xlarge-b1-s20-float16-nocl");
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.path("excluded")).hasSize(2);
    assertThat(j.path("missed").get(0).path("case_id").asText()).isEqualTo("sdxl-p5e48xlarge-b1-s20-float16");
  }

  @Test
  void aCaseThatDoesNotFitTheInstanceItIsPricedAsIsNeverPickedAndSaysWhy() {
    var tooBig = io.genbench.report.ReportFixtures.sdxlTooBigForG6e();
    var fits = io.genbench.report.ReportFixtures.sd21OnG5();

    BestConfigurations best = BestConfigurations.of("r", List.of(fits, tooBig), null, null, io.genbench.cost.Lifecycle.SPOT, true);

    assertThat(best.images()).extracting(BestConfigurations.Pick::caseId).containsExactly(fits.caseId());
    assertThat(best.excluded()).contains(new BestConfigurations.Excluded(tooBig.caseId(),
        "does not fit g6e.xlarge: 55.3 of 48.0 GB GPU memory"));
  }

  @Test
  void itWritesNothingIntoTheRunItReads() throws IOException {
    FileTime before = Files.getLastModifiedTime(SEED000.resolve("cases/sdxl-p548xlarge-b1-s20-float16/result.json"));

    Cli.run("best", SEED000.toString(), "--include-invalid");

    assertThat(Files.getLastModifiedTime(SEED000.resolve("cases/sdxl-p548xlarge-b1-s20-float16/result.json"))).isEqualTo(before);
  }

  @Test
  void badInputExitsTwoAndNamesIt() {
    Cli missing = Cli.run("best", "no/such/run");
    Cli negative = Cli.run("best", SEED000.toString(), "--p95-ms", "-1");
    Cli lifecycle = Cli.run("best", SEED000.toString(), "--lifecycle", "reserved");

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no/such/run").contains("does not exist");
    assertThat(negative.exitCode()).isEqualTo(2);
    assertThat(negative.err()).contains("--p95-ms");
    assertThat(lifecycle.exitCode()).isEqualTo(2);
    assertThat(lifecycle.err()).contains("--lifecycle").contains("reserved");
  }
}
