package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.load.FakeOpenAi;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench load --metrics-port}: /metrics on loopback moves while the load runs. */
@Timeout(60)
final class LoadMetricsOptionTest {
  @TempDir
  Path tmp;

  private static final Pattern MEASURED_OK = Pattern.compile(
      "genbench_load_requests_total\\{level=\"40rps\",outcome=\"ok\",phase=\"measure\",status=\"200\",target=\"[^\"]+\"} ([0-9.E]+)");

  @Test
  void theLoadsSeriesMoveWhileItRuns() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(2)).build();
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.serviceMs = 5;
      CompletableFuture<Cli> load = CompletableFuture.supplyAsync(() -> Cli.run("load", server.url("/"), "--profile",
          "constant 40", "--duration", "3", "--metrics-port", Integer.toString(port), "--no-history", "--out",
          tmp.resolve("run").toString()));

      double first = -1;
      String during = "";
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (first <= 0 && System.nanoTime() < deadline && !load.isDone()) {
        Thread.sleep(100);
        try {
          during = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
          first = measuredOk(during);
        } catch (java.io.IOException notYet) {
          // the endpoint starts with the run
        }
      }
      // scraped again until the count has moved (every 100 ms while the level runs), not once after a fixed pause: a busy
      // host may delay the first positive scrape until late in the level
      String later = during;
      while (measuredOk(later) <= first && System.nanoTime() < deadline && !load.isDone()) {
        Thread.sleep(100);
        try {
          later = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException over) {
          break;  // the run ended and its endpoint with it
        }
      }
      Cli done = load.get();

      assertThat(done.exitCode()).as(done.err()).isZero();
      assertThat(done.err()).contains("genbench: load metrics on http://127.0.0.1:" + port + "/metrics");
      assertThat(first).as("measured requests in a scrape during the run").isPositive();
      assertThat(during).contains("genbench_load_current_level{level=\"40rps\"").contains("} 1.0")
          .contains("genbench_load_offered_requests_per_second{level=\"40rps\"").contains("genbench_load_achieved_requests_per_second{");
      assertThat(measuredOk(later)).as("the count in a later scrape").isGreaterThan(first);
      assertThat(later).contains("genbench_load_response_seconds_count{level=\"40rps\"")
          .contains("genbench_load_dispatch_lag_seconds_bucket{level=\"40rps\"");
    }
  }

  private static double measuredOk(String text) {
    Matcher m = MEASURED_OK.matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
