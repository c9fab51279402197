package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.ExternalTool;
import io.genbench.Json;
import io.genbench.metrics.GrafanaDashboard;
import io.genbench.metrics.Metric;
import io.genbench.metrics.PromQlNames;
import io.genbench.serve.ImageServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 * every query of the generated Grafana dashboard is valid PromQL to that server and finds the image path's series. It
 * also scrapes a {@code genbench run --metrics-port} of two quickstart cases on the embedded default while it runs.
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
        var prometheus = PrometheusServer.start(binary, config("serve", serve.port()), dir, WAIT)) {
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
  void prometheusScrapesARunsProgressWhileItRuns(@TempDir Path dir) throws Exception {
    Path binary = ExternalTool.require("GENBENCH_PROMETHEUS", "prometheus");
    Path plan = smallQuickstart(dir);
    List<String> ids = new ArrayList<>();
    Json.YAML.readTree(plan.toFile()).path("cases").forEach(c -> ids.add(c.path("id").asText()));
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process run = new ProcessBuilder(javaBin, "-Duser.home=" + dir, "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench",
        "run", plan.toString(), "--backend", "onnx", "--threads", "1", "--no-history", "--out", dir.resolve("run").toString(),
        "--metrics-port", "0").directory(dir.toFile()).redirectErrorStream(true).start();
    var output = new StringBuffer();
    var port = new CompletableFuture<Integer>();
    Thread.ofPlatform().daemon().start(() -> readLines(run, output, port));
    try {
      int metricsPort = port.get(120, TimeUnit.SECONDS);
      try (var prometheus = PrometheusServer.start(binary, config("run", metricsPort), dir.resolve("prometheus"), WAIT)) {
        prometheus.await("a scrape of the running run", WAIT, () -> prometheus.value("genbench_run_cases{job=\"run\"}") == ids.size());
        assertThat(run.waitFor(180, TimeUnit.SECONDS)).as("the run ended within 180 s:\n" + output).isTrue();
        assertThat(run.exitValue()).as(output.toString()).isZero();

        assertThat(prometheus.value("max_over_time(genbench_run_cases_done{job=\"run\"}[10m])")).isBetween(1.0, (double) ids.size());
        assertThat(prometheus.value("max_over_time(genbench_run_samples{job=\"run\"}[10m])")).isPositive();
        List<String> seen = new ArrayList<>();
        prometheus.query("max by (case) (max_over_time(genbench_run_current_case{job=\"run\"}[10m]))")
            .forEach(s -> seen.add(s.path("metric").path("case").asText()));
        assertThat(seen).isNotEmpty();
        assertThat(ids).containsAll(seen);
        // every run series the dashboard queries was scraped (the ETA from the first finished case on)
        Set<String> runSeries = Arrays.stream(Metric.values()).filter(m -> m.scope() == Metric.Scope.RUN)
            .flatMap(m -> m.series().stream()).collect(Collectors.toSet());
        Set<String> queried = GrafanaDashboard.expressions().stream().flatMap(e -> PromQlNames.of(e).stream())
            .filter(runSeries::contains).collect(Collectors.toSet());
        assertThat(queried).hasSize(runSeries.size());
        assertThat(prometheus.metricNames()).containsAll(queried);
      }
    } finally {
      run.destroyForcibly();
      run.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void prometheusScrapesALoadWhileItRuns(@TempDir Path dir) throws Exception {
    Path binary = ExternalTool.require("GENBENCH_PROMETHEUS", "prometheus");
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    try (var server = new io.genbench.load.FakeOpenAi()) {
      server.serviceMs = 5;
      Process load = new ProcessBuilder(javaBin, "-Duser.home=" + dir, "-cp", System.getProperty("java.class.path"),
          "io.genbench.cli.GenBench", "load", server.url(IMAGES), "--profile", "constant 20", "--duration", "8", "--no-history",
          "--out", dir.resolve("load").toString(), "--metrics-port", "0").directory(dir.toFile()).redirectErrorStream(true).start();
      var output = new StringBuffer();
      var port = new CompletableFuture<Integer>();
      Thread.ofPlatform().daemon().start(() -> readLines(load, output, port));
      try {
        int metricsPort = port.get(120, TimeUnit.SECONDS);
        try (var prometheus = PrometheusServer.start(binary, config("load", metricsPort), dir.resolve("prometheus"), WAIT)) {
          String measured = "sum(genbench_load_requests_total{job=\"load\",phase=\"measure\",outcome=\"ok\"})";
          prometheus.await("a scrape of the running load", WAIT, () -> prometheus.value(measured) > 0);
          double during = prometheus.value(measured);
          prometheus.await("a later scrape with more requests", WAIT, () -> prometheus.value(measured) > during);
          assertThat(load.waitFor(120, TimeUnit.SECONDS)).as("the load ended within 120 s:\n" + output).isTrue();
          assertThat(load.exitValue()).as(output.toString()).isZero();

          assertThat(prometheus.value("max_over_time(genbench_load_current_level{job=\"load\",level=\"20rps\"}[10m])")).isEqualTo(1);
          assertThat(prometheus.value("max_over_time(genbench_load_offered_requests_per_second{job=\"load\"}[10m])")).isEqualTo(20);
          assertThat(prometheus.value("max_over_time(genbench_load_achieved_requests_per_second{job=\"load\"}[10m])")).isPositive();
          assertThat(prometheus.value("max_over_time(genbench_load_response_seconds_count{job=\"load\"}[10m])")).isPositive();
          // every load series the dashboard queries was scraped, and its queries parse
          Set<String> loadSeries = Arrays.stream(Metric.values()).filter(m -> m.scope() == Metric.Scope.LOAD)
              .flatMap(m -> m.series().stream()).collect(Collectors.toSet());
          Set<String> queried = GrafanaDashboard.expressions().stream().flatMap(e -> PromQlNames.of(e).stream())
              .filter(loadSeries::contains).collect(Collectors.toSet());
          assertThat(queried).isNotEmpty();
          assertThat(prometheus.metricNames()).containsAll(queried);
          for (String expr : GrafanaDashboard.expressions()) {
            if (PromQlNames.of(expr).stream().noneMatch(loadSeries::contains)) continue;
            JsonNode answer = prometheus.queryResponse(expr.replace("$__rate_interval", "1m"));
            assertThat(answer.path("status").asText()).as(expr + " → " + answer).isEqualTo("success"); // empty: the load ended
          }
        }
      } finally {
        load.destroyForcibly();
        load.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** The quickstart's two 256x256 cases, measured for at least 3 s each (the quickstart's own minimum). */
  private static Path smallQuickstart(Path dir) throws IOException {
    ObjectNode plan = (ObjectNode) Json.YAML.readTree(Path.of("examples/quickstart.yaml").toFile());
    ArrayNode cases = Json.YAML.createArrayNode();
    plan.path("cases").forEach(c -> {
      if (c.path("resolution").asText().equals("256x256")) cases.add(c);
    });
    plan.set("cases", cases);
    ((ObjectNode) plan.path("settings")).put("max_measure_s", 6.0).put("max_warmup_s", 5.0);
    Path file = dir.resolve("plan.yaml");
    Json.YAML.writeValue(file.toFile(), plan);
    return file;
  }

  /** Copies the run's (or load's) output; completes {@code port} from its "... metrics on http://127.0.0.1:N/metrics" line. */
  private static void readLines(Process run, StringBuffer output, CompletableFuture<Integer> port) {
    Pattern at = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics"); // run's progress, load's
    try (var lines = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        Matcher m = at.matcher(line);
        if (m.find()) port.complete(Integer.parseInt(m.group(1)));
      }
    } catch (IOException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(new AssertionError("the run printed no metrics port:\n" + output));
  }

  @Test
  void theDeployExamplesScrapeConfigIsValidToPromtool() throws Exception {
    Path promtool = ExternalTool.require("GENBENCH_PROMETHEUS", "prometheus").resolveSibling("promtool");
    if (!java.nio.file.Files.isExecutable(promtool)) promtool = ExternalTool.require("GENBENCH_PROMTOOL", "promtool");
    Path config = Path.of("deploy/prometheus/prometheus.yml");

    Process p = new ProcessBuilder(promtool.toString(), "check", "config", config.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS");
  }

  private static String config(String job, int port) {
    return """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: %s
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """.formatted(job, port);
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
