package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance test of issue 11: report.html of real runs, opened in headless Chromium as a person would open it, with
 * no network: no console error, no request (see {@link HeadlessChromium} for how both are caught), a layout that fits
 * 1400 and 1280 px windows, sortable tables, and screenshots at 1400×900 to look at
 * ({@code target/browser/}, or {@code $GENBENCH_SCREENSHOTS}). The negative tests show the check can fail.
 *
 * <p>The real runs: the bundled H100 run ({@code bench/example-h100-seed000}: its raw events, GPU telemetry included)
 * rebuilt by {@code genbench report} in a copy, and a two-case run of the embedded ONNX default made here. Without a
 * Chromium ({@code chromium} on PATH or {@code $GENBENCH_CHROMIUM}) the test is skipped, unless
 * {@code GENBENCH_REQUIRE_BROWSER} is set (scripts/test sets it after installing Debian's chromium): then it fails.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class ReportInBrowserTest {
  private static final Path H100_RUN = Path.of("bench", "example-h100-seed000");
  private static final Path H200_SUITE = Path.of("bench", "example-h200x2-suite-quick");

  private Path tmp;
  private HeadlessChromium chromium;
  private Path gpuReport;
  private Path onnxReport;
  private Path suiteReport;
  private Path screenshots;

  @BeforeAll
  void startChromiumAndBuildTheReports(@TempDir Path dir) throws Exception {
    tmp = dir;
    var binary = HeadlessChromium.find();
    if (binary.isEmpty()) {
      assumeThat(System.getenv("GENBENCH_REQUIRE_BROWSER")).as("no chromium on PATH (scripts/test installs Debian's)").isNull();
      throw new AssertionError("GENBENCH_REQUIRE_BROWSER is set, but there is no chromium on PATH and no GENBENCH_CHROMIUM");
    }
    screenshots = Path.of(System.getenv().getOrDefault("GENBENCH_SCREENSHOTS", "target/browser"));

    Path gpu = tmp.resolve(H100_RUN.getFileName().toString()); // its name is the run id the page's title shows
    copy(H100_RUN, gpu);
    assertThat(Cli.run("report", gpu.toString()).exitCode()).isZero();
    gpuReport = gpu.resolve("report.html");
    Path suite = tmp.resolve("suite");
    copy(H200_SUITE, suite);
    assertThat(Cli.run("report", suite.toString()).exitCode()).isZero();
    suiteReport = suite.resolve("report.html");

    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--models", "stabilityai/stable-diffusion-2-1", "--instance-types",
        "m7i.large", "--batch-sizes", "1", "2", "--resolutions", "64x64", "--inference-steps", "4", "--precisions", "float32",
        "--warmup", "1", "--min-iterations", "5", "--max-iterations", "8", "--min-duration", "0", "--output", plan.toString())
        .exitCode()).isZero();
    Path onnx = tmp.resolve("onnx");
    assertThat(Cli.run("run", plan.toString(), "--backend", "onnx", "--out", onnx.toString()).exitCode()).isZero();
    onnxReport = onnx.resolve("report.html");

    chromium = HeadlessChromium.start(binary.orElseThrow(), tmp.resolve("profile"));
  }

  @AfterAll
  void stopChromium() throws Exception {
    if (chromium != null) chromium.close();
  }

  @Test
  void aRealGpuRunsReportOpensWithNoConsoleErrorAndNoRequest() throws Exception {
    int mark = chromium.proxied().size();
    try (var tab = chromium.open(gpuReport, 1400, 900)) {
      tab.screenshot(screenshots.resolve("report-h100-1400x900.png"));
      for (String section : List.of("results", "charts")) {
        tab.evaluate("document.getElementById('" + section + "').scrollIntoView(), true");
        tab.resize(1400, 900);
        tab.screenshot(screenshots.resolve("report-h100-" + section + "-1400x900.png"));
      }

      assertThat(tab.report().consoleErrors()).isEmpty();
      assertThat(tab.report().requests()).isEmpty();
      assertThat(tab.evaluate("document.querySelectorAll('figure svg').length").asInt()).isEqualTo(8);
    }
    assertThat(proxiedSince(mark)).as("connections that reached the refusing proxy").isEmpty();
  }

  @Test
  void theEmbeddedDefaultsReportOpensCleanToo() throws Exception {
    int mark = chromium.proxied().size();
    try (var tab = chromium.open(onnxReport, 1400, 900)) {
      tab.screenshot(screenshots.resolve("report-onnx-1400x900.png"));

      assertThat(tab.report().clean()).as(tab.report().toString()).isTrue();
      assertThat(tab.evaluate("document.querySelectorAll('figure svg').length").asInt()).isEqualTo(5);
    }
    assertThat(proxiedSince(mark)).isEmpty();
  }

  @Test
  void aRealMultiGpuSuitesReportOpensCleanWithItsChartsAndRecommendationsAsAList() throws Exception {
    int mark = chromium.proxied().size();
    try (var tab = chromium.open(suiteReport, 1400, 900)) {
      tab.screenshot(screenshots.resolve("report-suite-1400x900.png"));

      assertThat(tab.report().clean()).as(tab.report().toString()).isTrue();
      // scaling against ideal, the bandwidth matrix, busbw against size: what the quick set on 2 H200s measured
      assertThat(tab.evaluate("document.querySelectorAll('figure svg').length").asInt()).isEqualTo(3);
      assertThat(tab.evaluate("document.querySelectorAll('#recommendations ~ ul li').length").asInt()).isGreaterThan(3);
    }
    assertThat(proxiedSince(mark)).isEmpty();
  }

  @Test
  void theLayoutFitsA1400AndA1280PixelWindowWithTwoChartsAbreast() {
    try (var tab = chromium.open(gpuReport, 1400, 900)) {
      for (int width : new int[] {1400, 1280}) {
        tab.resize(width, 900);

        assertThat(tab.evaluate("document.documentElement.scrollWidth").asInt()).as("page width at %d px", width)
            .isLessThanOrEqualTo(width);
        JsonNode tops = tab.evaluate("Array.from(document.querySelectorAll('figure')).slice(0, 2)"
            + ".map(f => Math.round(f.getBoundingClientRect().top))");
        assertThat(tops.get(0).asInt()).as("the first two charts side by side at %d px", width).isEqualTo(tops.get(1).asInt());
      }
      tab.resize(1400, 900);
      assertThat(tab.evaluate("(() => { const d = document.querySelector('#results ~ .wide'); return d.scrollWidth <= d.clientWidth; })()")
          .asBoolean()).as("the Results table, verdicts included, without scrolling at 1400 px").isTrue();
      assertThat(tab.report().clean()).as(tab.report().toString()).isTrue();
    }
  }

  @Test
  void aClickOnAColumnHeaderSortsTheTableNumericallyAndAThirdRestoresIt() {
    try (var tab = chromium.open(gpuReport, 1400, 900)) {
      String column = "(() => { const t = document.querySelector('#results ~ .wide table.sortable');"
          + " const i = Array.from(t.tHead.rows[0].cells).findIndex(c => c.textContent.trim().startsWith('e2e P50 ms'));"
          + " return {i: i, values: Array.from(t.tBodies[0].rows).map(r => r.cells[i].textContent.trim())}; })()";
      String click = "(() => { const t = document.querySelector('#results ~ .wide table.sortable');"
          + " Array.from(t.tHead.rows[0].cells).find(c => c.textContent.trim().startsWith('e2e P50 ms'))"
          + ".querySelector('button').click(); return true; })()";
      List<String> original = strings(tab.evaluate(column).path("values"));

      tab.evaluate(click);
      List<Double> ascending = numbers(tab.evaluate(column).path("values"));
      tab.evaluate(click);
      List<Double> descending = numbers(tab.evaluate(column).path("values"));
      tab.evaluate(click);

      assertThat(ascending).hasSize(8).isSorted();
      assertThat(descending).isSortedAccordingTo((a, b) -> Double.compare(b, a));
      assertThat(strings(tab.evaluate(column).path("values"))).isEqualTo(original);
      assertThat(tab.report().clean()).as(tab.report().toString()).isTrue();
    }
  }

  // ---- the check can fail ------------------------------------------------------------------------------------------

  @Test
  void aConsoleErrorIsCaught() throws Exception {
    Path page = page("console.html", "<script>console.error('deliberate ' + 'failure')</script>");

    try (var tab = chromium.open(page, 800, 600)) {
      assertThat(tab.report().consoleErrors()).anyMatch(e -> e.contains("deliberate failure"));
    }
  }

  @Test
  void anUncaughtExceptionIsCaught() throws Exception {
    Path page = page("throws.html", "<script>null.chart()</script>");

    try (var tab = chromium.open(page, 800, 600)) {
      assertThat(tab.report().consoleErrors()).anyMatch(e -> e.startsWith("uncaught: TypeError"));
    }
  }

  @Test
  void aRequestForARemoteImageIsCaughtAndNeverLeavesTheMachine() throws Exception {
    int mark = chromium.proxied().size();
    Path page = page("remote.html", "<img src=\"http://genbench.invalid/pixel.png\" alt=\"\">");

    try (var tab = chromium.open(page, 800, 600)) {
      assertThat(tab.report().requests()).contains("http://genbench.invalid/pixel.png");
      assertThat(tab.report().clean()).isFalse();
    }
    assertThat(proxiedSince(mark)).anyMatch(line -> line.contains("genbench.invalid"));
  }

  @Test
  void aReportAlteredToLoadARemoteImageIsBlockedByItsOwnPolicyAndCaught() throws Exception {
    int mark = chromium.proxied().size();
    Path altered = tmp.resolve("altered.html");
    Files.writeString(altered, Files.readString(onnxReport).replace("</h1>", "</h1><img src=\"http://genbench.invalid/a.png\">"));

    try (var tab = chromium.open(altered, 800, 600)) {
      assertThat(tab.report().consoleErrors()).anyMatch(e -> e.contains("Content Security Policy") && e.contains("genbench.invalid"));
    }
    assertThat(proxiedSince(mark)).as("the policy stopped it before the network").isEmpty();
  }

  /** Connections the refusing proxy saw from {@code mark} on (the log is shared by the tests, which run one at a time). */
  private List<String> proxiedSince(int mark) {
    List<String> all = chromium.proxied();
    return all.subList(Math.min(mark, all.size()), all.size());
  }

  private Path page(String name, String body) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>" + body + "</body></html>");
    return p;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Double> numbers(JsonNode array) {
    return strings(array).stream().map(s -> Double.parseDouble(s.replace(",", ""))).toList();
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(target);
        else Files.copy(f, target);
      }
    }
  }
}
