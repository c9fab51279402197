package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.ExternalTool;
import io.genbench.metrics.GrafanaDashboard;
import io.genbench.metrics.Metric;
import io.genbench.metrics.PromQlNames;
import io.genbench.serve.ImageServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Acceptance: Debian's {@code prometheus} (GENBENCH_PROMETHEUS, installed by scripts/tools.sh) scrapes a real
 * {@code genbench serve} on 127.0.0.1 every second, and the series read back through its query API are what was sent;
 * every query of the generated Grafana dashboard is valid PromQL to that server and finds the image path's series.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class PrometheusScrapeTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String IMAGES = "/v1/images/generations";
  private static final int REQUESTS = 3;
  private static final Pattern BUCKET = Pattern.compile("^genbench_request_e2e_seconds_bucket\\{.*le=\"([^\"]+)\".*} (\\S+)$", Pattern.MULTILINE);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void prometheusScrapesServeAndReadsBackWhatWasSent(@TempDir Path dir) throws Exception {
    Path binary = ExternalTool.require("GENBENCH_PROMETHEUS", "prometheus");
    var command = new ServeCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--model", "sd-2-1", "--port", "0", "--threads", "1", "--max-batch-size", "1");

    try (ImageServer serve = command.start();
        var prometheus = PrometheusServer.start(binary, config(serve.port()), dir, WAIT)) {
      prometheus.await("serve's target up", WAIT, () -> prometheus.value("up{job=\"serve\"}") == 1);

      for (int i = 0; i < REQUESTS; i++) {
        var ok = post(serve.port(), "{\"prompt\":\"a red fox\",\"size\":\"64x64\",\"steps\":1,\"seed\":" + i + "}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      }
      var bad = post(serve.port(), "{\"prompt\":\"a red fox\",\"size\":\"65x64\"}");
      assertThat(bad.statusCode()).isEqualTo(400);

      String ok = "genbench_requests_total{job=\"serve\",endpoint=\"" + IMAGES + "\",status=\"200\"}";
      String refused = "genbench_requests_total{job=\"serve\",endpoint=\"" + IMAGES + "\",status=\"400\"}";
      prometheus.await("a scrape after the last request", WAIT, () -> prometheus.value(ok) == REQUESTS && prometheus.value(refused) == 1);

      assertThat(prometheus.value("genbench_request_e2e_seconds_count{job=\"serve\"}")).isEqualTo(REQUESTS);
      assertThat(prometheus.value("genbench_request_e2e_seconds_bucket{job=\"serve\",le=\"+Inf\"}")).isEqualTo(REQUESTS);
      assertThat(prometheus.value("genbench_images_total{job=\"serve\"}")).isEqualTo(REQUESTS);
      assertThat(prometheus.value("genbench_batch_size_bucket{job=\"serve\",le=\"1.0\"}")).isEqualTo(REQUESTS);
      assertThat(prometheus.value("genbench_ready{job=\"serve\"}")).isEqualTo(1);
      // every e2e bucket Prometheus holds is serve's own (no request came since the scrape that counted the last)
      Map<Double, Double> stored = new TreeMap<>();
      for (JsonNode s : prometheus.query("genbench_request_e2e_seconds_bucket{job=\"serve\"}")) {
        stored.put(le(s.path("metric").path("le").asText()), Double.parseDouble(s.path("value").get(1).asText()));
      }
      assertThat(stored).hasSize(Metric.SECONDS_BUCKETS.size() + 1).isEqualTo(buckets(get(serve.port(), "/metrics").body()));

      // the dashboard's queries parse, and find the series the image path records
      for (String expr : GrafanaDashboard.expressions()) {
        JsonNode answer = prometheus.queryResponse(expr.replace("$__rate_interval", "1m"));
        assertThat(answer.path("status").asText()).as(expr + " → " + answer).isEqualTo("success");
      }
      Set<String> imagePath = Arrays.stream(Metric.values())
          .filter(m -> m.scope() == Metric.Scope.SERVE && m != Metric.TOKENS && m != Metric.WORKER_RESTARTS)
          .flatMap(m -> m.series().stream()).collect(Collectors.toSet());
      Set<String> queried = GrafanaDashboard.expressions().stream().flatMap(e -> PromQlNames.of(e).stream())
          .filter(imagePath::contains).collect(Collectors.toSet());
      assertThat(queried).isNotEmpty();
      assertThat(prometheus.metricNames()).containsAll(queried);
    }
  }

  @Test
  void theDeployExamplesScrapeConfigIsValidToPromtool() throws Exception {
    Path promtool = ExternalTool.require("GENBENCH_PROMETHEUS", "prometheus").resolveSibling("promtool");
    if (!java.nio.file.Files.isExecutable(promtool)) promtool = ExternalTool.require("GENBENCH_PROMTOOL", "promtool");
    Path config = Path.of("deploy/prometheus/prometheus.yml");

    Process p = new ProcessBuilder(promtool.toString(), "check", "config", config.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS");
  }

  private static String config(int servePort) {
    return """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: serve
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """.formatted(servePort);
  }

  /** serve's e2e buckets, le → cumulative count, from its /metrics text. */
  private static Map<Double, Double> buckets(String text) {
    Map<Double, Double> buckets = new TreeMap<>();
    Matcher m = BUCKET.matcher(text);
    while (m.find()) buckets.put(le(m.group(1)), Double.parseDouble(m.group(2)));
    return buckets;
  }

  private static double le(String s) {
    return s.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s);
  }

  private HttpResponse<String> post(int port, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + IMAGES)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
