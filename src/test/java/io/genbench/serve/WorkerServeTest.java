package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * serve on the real PyTorch worker (genbench_worker.serve), tiny configurations on CPU under the first Python with torch
 * (Debian's torch 1.13 in CI: no scaled_dot_product_attention, the worker's attention falls back to its math kernel).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
final class WorkerServeTest {

  private record Served(ImageServer server, WorkerImageBackend backend, ServeMetrics metrics) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }

  private static String python() {
    try {
      return LocalProcessExecutor.findPython(System.getenv("GENBENCH_PYTHON"));
    } catch (UserError e) {
      org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("GENBENCH_REQUIRE_WORKER") == null, e.getMessage());
      throw new org.opentest4j.TestAbortedException(e.getMessage());
    }
  }

  private static Served serve(String model) throws Exception {
    return serve(model, List.of());
  }

  private static Served serve(String model, List<String> gpus) throws Exception {
    var metrics = new ServeMetrics(GpuTelemetry.none());
    var config = new WorkerImageBackend.Config(python(), Path.of("worker/src").toAbsolutePath(), model, "float32", true, null,
        "torch", "cpu", gpus, Duration.ofSeconds(240), 4);
    var server = ImageServer.start(new ImageServer.Config("127.0.0.1", 0, null, model, RequestLimits.DEFAULT,
        new Batcher.Limits(4, 0, 16)), () -> WorkerImageBackend.start(config, metrics), metrics);
    var backend = (WorkerImageBackend) server.ready().get(240, TimeUnit.SECONDS);
    return new Served(server, backend, metrics);
  }

  @Test
  void aKilledWorkerFailsItsRequestInFlightWith503AndTheNextRequestSucceedsAfterItsRestart() throws Exception {
    try (Served s = serve("stabilityai/stable-diffusion-2-1")) {
      var http = new Http(s.server().port());
      var ok = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"n\":2,\"size\":\"64x48\",\"steps\":2,\"seed\":5}");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(ok.body());
      var png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(body.path("data").get(1).path("b64_json").asText())));
      assertThat(png.getWidth()).isEqualTo(64);
      assertThat(png.getHeight()).isEqualTo(48);
      assertThat(body.path("metrics").path("batch_size").asInt()).isEqualTo(2);
      long pid = s.backend().pids().getFirst();

      // long enough to be killed mid-way on any machine: hundreds of steps of the tiny UNet
      var doomed = http.postAsync(ImageServer.IMAGES, "{\"prompt\":\"a slow fox\",\"size\":\"256x256\",\"steps\":150}");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (s.backend().inFlight() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertThat(s.backend().inFlight()).as("the request reached the worker").isEqualTo(1);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      var crashed = doomed.get(120, TimeUnit.SECONDS);
      var after = http.post(ImageServer.IMAGES, "{\"prompt\":\"a red fox\",\"n\":2,\"size\":\"64x48\",\"steps\":2,\"seed\":5}");

      assertThat(crashed.statusCode()).isEqualTo(503);
      assertThat(Json.MAPPER.readTree(crashed.body()).path("error").path("message").asText()).contains("crashed", "restarted");
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      assertThat(s.backend().pids().getFirst()).isNotEqualTo(pid);
      assertThat(Json.MAPPER.readTree(after.body()).path("data").equals(body.path("data")))
          .as("the restarted worker builds the same random weights: the same request gets the same images").isTrue();
      assertThat(PromText.parse(s.metrics().scrape())).containsEntry("genbench_worker_restarts_total{backend=\"torch\"}", 1.0);
    }
  }

  @Test
  void aBatchIsSplitOverOneWorkerPerGpuAndComesBackInPromptOrder() throws Exception {
    // two "GPUs" on CPU: each worker gets CUDA_VISIBLE_DEVICES of its own and runs on the CPU all the same
    try (Served s = serve("stabilityai/stable-diffusion-2-1", List.of("0", "1"))) {
      var http = new Http(s.server().port());

      var three = Json.MAPPER.readTree(http.post(ImageServer.IMAGES, "{\"prompt\":\"a fox\",\"n\":3,\"size\":\"64x64\",\"steps\":2,\"seed\":5}").body());
      var first = Json.MAPPER.readTree(http.post(ImageServer.IMAGES, "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":2,\"seed\":5}").body());

      assertThat(s.backend().pids()).hasSize(2).doesNotHaveDuplicates();
      assertThat(s.backend().concurrency()).isEqualTo(2);
      assertThat(three.path("data")).hasSize(3);
      assertThat(three.path("metrics").path("batch_size").asInt()).isEqualTo(3);
      // image 0 ran alone on the first worker, as the single request did: the same computation, the same bytes
      assertThat(three.path("data").get(0).equals(first.path("data").get(0))).as("image 0 is seed 5's").isTrue();
      assertThat(three.path("data").get(1).equals(three.path("data").get(2))).as("seeds 6 and 7 differ").isFalse();
    }
  }

  @Test
  void theWorkerAnswersACompletionAndAStreamedChatOnTinyOpt() throws Exception {
    try (Served s = serve("facebook/opt-125m")) {
      var http = new Http(s.server().port());

      var plain = http.post(Completions.COMPLETIONS, "{\"prompt\":\"Hello\",\"max_tokens\":4,\"ignore_eos\":true}");
      var streamed = http.post(Completions.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":3,"
          + "\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

      assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(plain.body());
      assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
      assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo("Hello".length() + 1);
      assertThat(body.path("choices").get(0).path("text").asText()).isNotEmpty();
      assertThat(body.path("metrics").path("compute_ms").asDouble()).isPositive();
      assertThat(streamed.statusCode()).isEqualTo(200);
      List<String> events = CompletionsTest.events(streamed.body());
      assertThat(events).hasSize(3 + 2 + 1).last().isEqualTo("[DONE]");
      assertThat(Json.MAPPER.readTree(events.get(4)).path("usage").path("completion_tokens").asInt()).isEqualTo(3);
      assertThat(PromText.parse(s.metrics().scrape()))
          .containsEntry("vllm:time_to_first_token_seconds_count{model_name=\"facebook/opt-125m\"}", 2.0)
          .containsEntry("vllm:inter_token_latency_seconds_count{model_name=\"facebook/opt-125m\"}", 3.0 + 2.0);
    }
  }
}
