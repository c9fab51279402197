package io.genbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server on 127.0.0.1 for a test: its own config and storage in a temp folder, its log in
 * {@code prometheus.log} there, stopped on {@link #close()}. Every wait is bounded and polls a condition.
 */
final class PrometheusServer implements AutoCloseable {
  private static final Duration CALL = Duration.ofSeconds(10);
  private final Process process;
  private final Path log;
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CALL).version(HttpClient.Version.HTTP_1_1).build();

  private PrometheusServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.base = "http://127.0.0.1:" + port;
  }

  /**
   * Starts {@code binary} with {@code config} (YAML text) and waits until it answers {@code /-/ready}. The free port it
   * is given may be taken before it binds: then it starts again on another, three times at most.
   */
  static PrometheusServer start(Path binary, String config, Path dir, Duration within) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int attempt = 1; ; attempt++) {
      Path log = dir.resolve("prometheus-" + attempt + ".log");
      int port = freePort();
      Process p = new ProcessBuilder(binary.toString(), "--config.file=" + configFile, "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=1h")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      var server = new PrometheusServer(p, log, port);
      try {
        server.await("Prometheus ready", within, () -> server.get("/-/ready").statusCode() == 200);
        return server;
      } catch (AssertionError e) {
        server.close();
        if (attempt < 3 && !p.isAlive() && server.logTail().contains("address already in use")) continue;
        throw e;
      } catch (RuntimeException | Error | IOException | InterruptedException e) {
        server.close();
        throw e;
      }
    }
  }

  /** An instant query's result vector ({@code data.result}). */
  JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode body = queryResponse(promql);
    if (!"success".equals(body.path("status").asText())) throw new AssertionError("query " + promql + " failed: " + body);
    return body.path("data").path("result");
  }

  /** The whole response of an instant query, status and error included. */
  JsonNode queryResponse(String promql) throws IOException, InterruptedException {
    return Json.MAPPER.readTree(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
  }

  /** The value of a query that selects one series, or NaN when it selects none. */
  double value(String promql) throws IOException, InterruptedException {
    JsonNode result = query(promql);
    if (result.isEmpty()) return Double.NaN;
    if (result.size() > 1) throw new AssertionError(promql + " selects " + result.size() + " series: " + result);
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  /** Every metric name Prometheus holds. */
  java.util.Set<String> metricNames() throws IOException, InterruptedException {
    JsonNode body = Json.MAPPER.readTree(get("/api/v1/label/__name__/values").body());
    var names = new java.util.TreeSet<String>();
    body.path("data").forEach(n -> names.add(n.asText()));
    return names;
  }

  interface Check {
    boolean holds() throws IOException, InterruptedException;
  }

  /** Polls {@code check} every 100 ms until it holds; fails with the log's tail after {@code within}. */
  void await(String what, Duration within, Check check) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      if (!process.isAlive()) throw new AssertionError("prometheus exited (" + process.exitValue() + ") waiting for " + what + ":\n" + logTail());
      try {
        if (check.holds()) return;
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) throw new AssertionError("waited " + within.toSeconds() + " s for " + what + "; prometheus log:\n" + logTail());
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  String logTail() {
    try {
      String text = Files.readString(log);
      return text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
