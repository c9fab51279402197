package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP contract, against a fake backend: errors, batching, the queue bound, metrics, the API key. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ImageServerTest {
  private static final String OK = "{\"prompt\":\"a red fox\",\"size\":\"64x64\",\"steps\":2,\"seed\":1}";

  private static ImageServer start(FakeBackend backend, Batcher.Limits limits, String apiKey) throws Exception {
    var config = new ImageServer.Config("127.0.0.1", 0, apiKey, "stabilityai/stable-diffusion-2-1", RequestLimits.DEFAULT, limits);
    ImageServer server = ImageServer.start(config, () -> backend, new ServeMetrics(GpuTelemetry.none()));
    server.ready().get(60, TimeUnit.SECONDS);
    return server;
  }

  private static ImageServer start(FakeBackend backend) throws Exception {
    return start(backend, new Batcher.Limits(8, 0, 64), null);
  }

  @Test
  void answersAnImageRequestWithPngsOfTheRequestedSizeAndItsTimings() throws Exception {
    try (ImageServer server = start(new FakeBackend(false))) {
      var http = new Http(server.port());

      var r = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"n\":2,\"size\":\"128x64\",\"steps\":2,\"response_format\":\"b64_json\"}");

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.path("data")).hasSize(2);
      var png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(body.path("data").get(0).path("b64_json").asText())));
      assertThat(png.getWidth()).isEqualTo(128);
      assertThat(png.getHeight()).isEqualTo(64);
      assertThat(r.headers().firstValue("Server-Timing").orElseThrow()).matches("queue;dur=[0-9.]+, compute;dur=[0-9.]+, transfer;dur=[0-9.]+, encode;dur=[0-9.]+, e2e;dur=[0-9.]+, batch;desc=\"2\"");
      assertThat(body.path("metrics").path("batch_size").asInt()).isEqualTo(2);
      assertThat(body.path("metrics").path("compute_ms").isNumber()).isTrue();
      assertThat(body.path("metrics").path("queue_ms").isNumber()).isTrue();
      assertThat(body.path("metrics").path("encode_ms").isNumber()).isTrue();
      assertThat(body.path("metrics").path("transfer_ms").asDouble()).isEqualTo(0.0);  // a backend that does not time itself
      assertThat(body.path("metrics").path("e2e_ms").asDouble()).isGreaterThanOrEqualTo(body.path("metrics").path("encode_ms").asDouble());
    }
  }

  @Test
  void responseFormatUrlAnswersWithUrlsOnThisServerThatServeThePngsWithoutTheApiKey() throws Exception {
    try (ImageServer server = start(new FakeBackend(false), new Batcher.Limits(8, 0, 64), "sk-test")) {
      var http = new Http(server.port());

      var r = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"n\":2,\"size\":\"128x64\",\"steps\":2,\"response_format\":\"url\"}",
          "Authorization", "Bearer sk-test");

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.path("data")).hasSize(2);
      assertThat(body.path("data").get(0).has("b64_json")).isFalse();
      assertThat(body.path("metrics").path("batch_size").asInt()).isEqualTo(2);
      assertThat(r.headers().firstValue("Server-Timing").orElseThrow()).contains("compute;dur=");
      assertThat(r.body().length()).isLessThan(1000);
      List<String> urls = new ArrayList<>();
      body.path("data").forEach(d -> urls.add(d.path("url").asText()));
      assertThat(urls).allMatch(u -> u.matches("http://127\\.0\\.0\\.1:" + server.port() + "/v1/images/files/[0-9a-f]{32}\\.png")).doesNotHaveDuplicates();
      for (String url : urls) {
        var png = http.getBytes(url);  // no Authorization: the URL is its own key
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        var image = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertThat(image.getWidth()).isEqualTo(128);
        assertThat(image.getHeight()).isEqualTo(64);
      }
      String unknown = "http://127.0.0.1:" + server.port() + "/v1/images/files/" + "0".repeat(32) + ".png";
      assertThat(http.getBytes(unknown).statusCode()).isEqualTo(404);
      assertThat(http.getBytes("http://127.0.0.1:" + server.port() + "/v1/images/files/..%2Fetc.png").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aUrlAnswerIsValidJsonWhateverTheClientsHostHeaderSays() throws Exception {
    try (ImageServer server = start(new FakeBackend(false))) {
      String host = "127.0.0.1\"},{\"url\":\"x\\";
      String body = "{\"prompt\":\"a\",\"n\":2,\"size\":\"64x64\",\"steps\":2,\"response_format\":\"url\"}";
      String answer;
      try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(("POST " + ImageServer.IMAGES + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }

      assertThat(answer).startsWith("HTTP/1.1 200");
      JsonNode json = Json.MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(json.path("data")).hasSize(2);
      assertThat(json.path("data").get(1).path("url").asText()).startsWith("http://" + host + ImageServer.FILES).endsWith(".png");
      assertThat(json.path("metrics").path("batch_size").asInt()).isEqualTo(2);
      assertThat(json.path("created").asLong()).isPositive();
    }
  }

  @Test
  void aUrlAnswerLeavesOnceTheImagesLandedAndItsUrlWaitsForThemToBeReadWhileBase64WaitsInTheAnswer() throws Exception {
    FakeBackend backend = new FakeBackend(false);
    backend.read = new CompletableFuture<>();
    try (ImageServer server = start(backend)) {
      var http = new Http(server.port());

      var url = http.post(ImageServer.IMAGES, "{\"prompt\":\"a\",\"size\":\"64x64\",\"steps\":2,\"response_format\":\"url\"}");
      var b64 = http.postAsync(ImageServer.IMAGES, "{\"prompt\":\"b\",\"size\":\"64x64\",\"steps\":2,\"response_format\":\"b64_json\"}");

      // answered while the pixels are still unread: the URL is all the answer needs
      assertThat(url.statusCode()).isEqualTo(200);
      var png = http.getBytesAsync(Json.MAPPER.readTree(url.body()).path("data").get(0).path("url").asText());
      assertThat(backend.started.tryAcquire(2, 60, TimeUnit.SECONDS)).as("both batches ran").isTrue();
      Thread.sleep(200);
      assertThat(png).as("the image's fetch waits for its read").isNotDone();
      assertThat(b64).as("a base64 answer waits for its pixels").isNotDone();

      backend.read.complete(null);
      assertThat(png.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(ImageIO.read(new ByteArrayInputStream(png.get().body())).getWidth()).isEqualTo(64);
      assertThat(b64.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void imagesThatLandButCannotBeReadFailTheirFetchAndTheBase64AnswerWith500SayingWhy() throws Exception {
    FakeBackend backend = new FakeBackend(false);
    backend.read = CompletableFuture.failedFuture(new IllegalStateException("the pixel file was cut short"));
    try (ImageServer server = start(backend)) {
      var http = new Http(server.port());

      var url = http.post(ImageServer.IMAGES, "{\"prompt\":\"a\",\"size\":\"64x64\",\"steps\":2,\"response_format\":\"url\"}");
      var b64 = http.post(ImageServer.IMAGES, "{\"prompt\":\"b\",\"size\":\"64x64\",\"steps\":2,\"response_format\":\"b64_json\"}");

      assertThat(url.statusCode()).isEqualTo(200);
      var png = http.getBytes(Json.MAPPER.readTree(url.body()).path("data").get(0).path("url").asText());
      assertThat(png.statusCode()).isEqualTo(500);
      assertThat(new String(png.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("the pixel file was cut short");
      assertThat(b64.statusCode()).isEqualTo(500);
      assertThat(b64.body()).contains("the pixel file was cut short");
      // the server goes on: the next batch reads fine
      backend.read = null;
      assertThat(http.post(ImageServer.IMAGES, OK).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void concurrentRequestsOfOneShapeShareABatchAndItsComputeTime() throws Exception {
    var backend = new FakeBackend(false);
    // a long delay and a batch of exactly four: the batch starts when the fourth request arrives, not on a timer
    try (ImageServer server = start(backend, new Batcher.Limits(4, 30_000_000_000L, 64), null)) {
      var http = new Http(server.port());

      var futures = new ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
      for (int i = 0; i < 4; i++) futures.add(http.postAsync(ImageServer.IMAGES, OK));
      List<JsonNode> metrics = new ArrayList<>();
      for (var f : futures) {
        var r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        metrics.add(Json.MAPPER.readTree(r.body()).path("metrics"));
      }

      assertThat(backend.batches.get()).isEqualTo(1);
      assertThat(metrics).allSatisfy(m -> {
        assertThat(m.path("batch_size").asInt()).isEqualTo(4);
        assertThat(m.path("batch_requests").asInt()).isEqualTo(4);
      });
      assertThat(metrics.stream().map(m -> m.path("compute_ms").asDouble()).distinct()).hasSize(1);
    }
  }

  @Test
  void eightClosedLoopUsersGetBatchesOfEight() throws Exception {
    var backend = new FakeBackend(false, 50);
    // the delay only bounds a wait that should end as soon as the eighth user is back; long, so a slow machine passes
    try (ImageServer server = start(backend, new Batcher.Limits(8, 5_000_000_000L, 64), null)) {
      var http = new Http(server.port());
      int users = 8;
      int each = 8;
      var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
      var threads = new ArrayList<Thread>();
      for (int u = 0; u < users; u++) {
        threads.add(Thread.ofPlatform().start(() -> {
          try {
            for (int i = 0; i < each; i++) {
              var r = http.post(ImageServer.IMAGES, OK);
              if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }));
      }
      for (Thread t : threads) t.join(120_000);

      assertThat(failures).isEmpty();
      assertThat(backend.images.get()).isEqualTo(users * each);
      // users in step from the start (the first batch expects a full one) stay in step: answers leave together
      assertThat(backend.sizes).as("images per batch").containsOnly(8);
    }
  }

  @Test
  void oneRequestAtATimeDoesNotWaitForTheDelayAfterTheFirst() throws Exception {
    var backend = new FakeBackend(false);
    try (ImageServer server = start(backend, new Batcher.Limits(8, 2_000_000_000L, 64), null)) {
      var http = new Http(server.port());
      http.post(ImageServer.IMAGES, OK);  // the first batch expects a full one: it waits the delay (2 s) out

      List<Double> queued = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        queued.add(Json.MAPPER.readTree(http.post(ImageServer.IMAGES, OK).body()).path("metrics").path("queue_ms").asDouble());
      }

      // the last batch had one image: none expected (half the delay as the bound: a busy host's stalls fit under it)
      assertThat(queued).allSatisfy(q -> assertThat(q).isLessThan(1000.0));
      assertThat(backend.sizes).containsExactly(1, 1, 1, 1);
    }
  }

  @Test
  void requestsOfDifferentShapesRunInSeparateBatches() throws Exception {
    var backend = new FakeBackend(false);
    try (ImageServer server = start(backend, new Batcher.Limits(4, 200_000_000L, 64), null)) {
      var http = new Http(server.port());

      var a = http.postAsync(ImageServer.IMAGES, OK);
      var b = http.postAsync(ImageServer.IMAGES, OK.replace("\"steps\":2", "\"steps\":3"));

      assertThat(Json.MAPPER.readTree(a.get(60, TimeUnit.SECONDS).body()).path("metrics").path("batch_size").asInt()).isEqualTo(1);
      assertThat(Json.MAPPER.readTree(b.get(60, TimeUnit.SECONDS).body()).path("metrics").path("batch_size").asInt()).isEqualTo(1);
      assertThat(backend.batches.get()).isEqualTo(2);
    }
  }

  @Test
  void aFullQueueAnswers429WithoutWaiting() throws Exception {
    var backend = new FakeBackend(true);
    try (ImageServer server = start(backend, new Batcher.Limits(1, 0, 1), null)) {
      var http = new Http(server.port());
      var running = http.postAsync(ImageServer.IMAGES, OK);
      assertThat(backend.started.tryAcquire(60, TimeUnit.SECONDS)).isTrue();
      var waiting = http.postAsync(ImageServer.IMAGES, OK);
      awaitMetric(http, "genbench_queue_requests 1.0");

      var refused = http.post(ImageServer.IMAGES, OK);

      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
      backend.open();
      assertThat(running.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void badFieldsGet400NamingTheFieldBeforeAnyWork() throws Exception {
    var backend = new FakeBackend(false);
    try (ImageServer server = start(backend)) {
      var http = new Http(server.port());
      String[][] cases = {
          {"{\"size\":\"64x64\"}", "prompt"},
          {"{\"prompt\":7}", "prompt"},
          {"{\"prompt\":\"x\",\"n\":0}", "n"},
          {"{\"prompt\":\"x\",\"n\":100000}", "n"},
          {"{\"prompt\":\"x\",\"n\":\"2\"}", "n"},
          {"{\"prompt\":\"x\",\"size\":\"100000x100000\"}", "size"},
          {"{\"prompt\":\"x\",\"size\":\"65x64\"}", "size"},
          {"{\"prompt\":\"x\",\"size\":\"big\"}", "size"},
          {"{\"prompt\":\"x\",\"steps\":1000000}", "steps"},
          {"{\"prompt\":\"x\",\"steps\":0}", "steps"},
          {"{\"prompt\":\"x\",\"guidance\":\"high\"}", "guidance"},
          {"{\"prompt\":\"x\",\"seed\":1.5}", "seed"},
          {"{\"prompt\":\"x\",\"response_format\":\"png\"}", "response_format"},
          {"{\"prompt\":\"x\",\"model\":\"dall-e-3\"}", "model"}};

      for (String[] c : cases) {
        var r = http.post(ImageServer.IMAGES, c[0]);
        assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(r.body()).path("error");
        assertThat(error.path("param").asText()).as(c[0]).isEqualTo(c[1]);
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains(c[1]);
        assertThat(error.path("code").asText()).isNotBlank();
      }
      assertThat(http.post(ImageServer.IMAGES, "{not json").statusCode()).isEqualTo(400);
      assertThat(backend.batches.get()).isZero();
    }
  }

  @Test
  void anOversizedBodyIsRefusedWith413() throws Exception {
    var backend = new FakeBackend(false);
    try (ImageServer server = start(backend)) {
      var http = new Http(server.port());

      var r = http.post(ImageServer.IMAGES, "{\"prompt\":\"" + "x".repeat(RequestLimits.DEFAULT.maxBodyBytes()) + "\"}");

      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(Json.MAPPER.readTree(r.body()).path("error").path("code").asText()).isEqualTo("request_too_large");
      assertThat(backend.batches.get()).isZero();
    }
  }

  @Test
  void anApiKeyIsRequiredOnV1WhenSetButNotOnProbes() throws Exception {
    try (ImageServer server = start(new FakeBackend(false), new Batcher.Limits(8, 0, 64), "s3cret")) {
      var http = new Http(server.port());

      var none = http.post(ImageServer.IMAGES, OK);
      var wrong = http.post(ImageServer.IMAGES, OK, "Authorization", "Bearer nope");
      var right = http.post(ImageServer.IMAGES, OK, "Authorization", "Bearer s3cret");

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(Json.MAPPER.readTree(none.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(http.get("/v1/models").statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(http.get("/health").statusCode()).isEqualTo(200);
      assertThat(http.get("/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void metricsCountRequestsByStatusAndObserveTheirTimes() throws Exception {
    try (ImageServer server = start(new FakeBackend(false))) {
      var http = new Http(server.port());

      http.post(ImageServer.IMAGES, OK);
      http.post(ImageServer.IMAGES, OK.replace("\"seed\":1}", "\"seed\":1,\"n\":3}"));
      http.post(ImageServer.IMAGES, "{\"prompt\":\"x\",\"n\":0}");
      var text = http.get("/metrics");

      assertThat(text.statusCode()).isEqualTo(200);
      assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
      var samples = PromText.parse(text.body());
      String model = "model=\"stabilityai/stable-diffusion-2-1\"";
      assertThat(samples).containsEntry("genbench_requests_total{endpoint=\"/v1/images/generations\",status=\"200\"}", 2.0);
      assertThat(samples).containsEntry("genbench_requests_total{endpoint=\"/v1/images/generations\",status=\"400\"}", 1.0);
      assertThat(samples).containsEntry("genbench_request_e2e_seconds_count{" + model + "}", 2.0);
      assertThat(samples).containsEntry("genbench_request_queue_seconds_count{" + model + "}", 2.0);
      assertThat(samples).containsEntry("genbench_request_compute_seconds_count{" + model + "}", 2.0);
      assertThat(samples).containsEntry("genbench_request_encode_seconds_count{" + model + "}", 2.0);
      assertThat(samples).containsEntry("genbench_request_e2e_seconds_bucket{" + model + ",le=\"3600.0\"}", 2.0);
      assertThat(samples).containsEntry("genbench_images_total{" + model + "}", 4.0);
      assertThat(samples).containsEntry("genbench_batch_size_sum{" + model + "}", 4.0);
      assertThat(samples).containsEntry("genbench_ready", 1.0);
    }
  }

  @Test
  void readyAnswers503UntilTheModelIsBuilt() throws Exception {
    var built = new java.util.concurrent.CountDownLatch(1);
    var config = new ImageServer.Config("127.0.0.1", 0, null, "stabilityai/stable-diffusion-2-1", RequestLimits.DEFAULT,
        new Batcher.Limits(8, 0, 64));
    try (ImageServer server = ImageServer.start(config, () -> {
      try {
        built.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return new FakeBackend(false);
    }, new ServeMetrics(GpuTelemetry.none()))) {
      var http = new Http(server.port());

      assertThat(http.get("/ready").statusCode()).isEqualTo(503);
      assertThat(http.post(ImageServer.IMAGES, OK).statusCode()).isEqualTo(503);
      assertThat(http.get("/health").statusCode()).isEqualTo(200);
      built.countDown();
      server.ready().get(60, TimeUnit.SECONDS);

      assertThat(http.get("/ready").statusCode()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(http.get("/v1/models").body()).path("data").get(0).path("id").asText())
          .isEqualTo("stabilityai/stable-diffusion-2-1");
    }
  }

  private static void awaitMetric(Http http, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!http.get("/metrics").body().contains(line)) {
      assertThat(System.nanoTime()).as("waiting for " + line).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
