package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** serve's warm-up: its requests run the whole path before /ready, count in no metric, and no client can pass for one. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ServeWarmUpTest {
  private static final ImageServer.Config CONFIG = new ImageServer.Config("127.0.0.1", 0, null, "stabilityai/stable-diffusion-2-1",
      RequestLimits.DEFAULT, new Batcher.Limits(8, 0, 64));

  @Test
  void warmUpRequestsRunBeforeReadyOneAtATimeAtTheSmallestSizeAndCountInNoMetric() throws Exception {
    var backend = new FakeBackend(true);
    try (ImageServer server = ImageServer.start(CONFIG, () -> backend, new ServeMetrics(GpuTelemetry.none()), 6)) {
      var http = new Http(server.port());
      assertThat(backend.started.tryAcquire(60, TimeUnit.SECONDS)).isTrue();  // the first warm-up batch is running
      // not ready while warming: /ready says so and a client's request is refused, not queued behind the warm-up
      var ready = http.get("/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("warming");
      var early = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"size\":\"64x64\",\"steps\":2}");
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(early.body()).contains("model_not_ready");
      assertThat(server.ready()).isNotDone();

      backend.open();
      server.ready().get(60, TimeUnit.SECONDS);
      assertThat(backend.batches.get()).isEqualTo(6);
      assertThat(backend.sizes).containsOnly(1);  // one at a time: each its own batch
      assertThat(http.get("/ready").statusCode()).isEqualTo(200);

      var r = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"size\":\"64x64\",\"steps\":2,\"response_format\":\"url\"}");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(http.getBytes(body.path("data").path(0).path("url").asText()).statusCode()).isEqualTo(200);
      var samples = PromText.parse(http.get("/metrics").body());
      // the client's one request and one PNG, the early 503, none of the 6 warm-up requests and their 3 PNGs
      assertThat(samples).containsEntry("genbench_requests_total{endpoint=\"/v1/images/generations\",status=\"200\"}", 1.0);
      assertThat(samples).containsEntry("genbench_requests_total{endpoint=\"/v1/images/generations\",status=\"503\"}", 1.0);
      assertThat(samples).containsEntry("genbench_requests_total{endpoint=\"/v1/images/files/\",status=\"200\"}", 1.0);
      assertThat(samples).containsEntry("genbench_batch_size_count{model=\"stabilityai/stable-diffusion-2-1\"}", 1.0);
    }
  }

  @Test
  void aRequestWithAForgedWarmUpHeaderIsAnOrdinaryRequestAndCounts() throws Exception {
    var backend = new FakeBackend(false);
    try (ImageServer server = ImageServer.start(CONFIG, () -> backend, new ServeMetrics(GpuTelemetry.none()), 2)) {
      server.ready().get(60, TimeUnit.SECONDS);
      var http = new Http(server.port());
      var r = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"size\":\"64x64\",\"steps\":2}", ServeWarmUp.HEADER, "0123456789abcdef0123456789abcdef");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(PromText.parse(http.get("/metrics").body()))
          .containsEntry("genbench_requests_total{endpoint=\"/v1/images/generations\",status=\"200\"}", 1.0);
      assertThat(backend.batches.get()).isEqualTo(3);
    }
  }

  @Test
  void aFailingWarmUpStopsWithAWarningAndTheServerStillServes() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    ImageBackend backend = new ImageBackend() {
      @Override
      public String name() {
        return "failing";
      }

      @Override
      public String builtModel() {
        return "genbench/failing";
      }

      @Override
      public int sizeMultiple() {
        return 64;
      }

      @Override
      public java.util.List<Image> generate(ImageBatch batch) {
        calls.incrementAndGet();
        throw new IllegalStateException("the model fails");  // every warm-up request gets 500
      }

      @Override
      public void close() {}
    };
    try (ImageServer server = ImageServer.start(CONFIG, () -> backend, new ServeMetrics(GpuTelemetry.none()), 5)) {
      CompletableFuture<ImageBackend> ready = server.ready();
      assertThat(ready.get(60, TimeUnit.SECONDS)).isSameAs(backend);
      assertThat(calls.get()).isEqualTo(1);  // the first failure ended the warm-up
      assertThat(new Http(server.port()).get("/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theInJvmBackendMakesMidGreyImagesOfTheBatchsSizeAndCount() {
    var made = new ServeWarmUp.InJvm(8).generate(new ImageBatch(new ImageBatch.Shape(new io.genbench.plan.Resolution(16, 8), 1, 7.5),
        java.util.List.of("a", "b"), new long[] {1, 2}));
    assertThat(made).hasSize(2);
    assertThat(made.getFirst().width()).isEqualTo(16);
    assertThat(made.getFirst().height()).isEqualTo(8);
    assertThat(made.getFirst().rgb()).hasSize(3 * 16 * 8).containsOnly((byte) 128);
  }

  @Test
  void theWarmUpSizeIsSixtyFourPixelsRoundedUpToTheModelsMultiple() {
    assertThat(ServeWarmUp.smallestSide(8)).isEqualTo(64);
    assertThat(ServeWarmUp.smallestSide(64)).isEqualTo(64);
    assertThat(ServeWarmUp.smallestSide(48)).isEqualTo(96);
    assertThat(ServeWarmUp.smallestSide(128)).isEqualTo(128);
  }
}
