package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The LLM endpoints' HTTP contract against a fake text model: OpenAI's bodies and chunks, timings, errors, metrics. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class CompletionsTest {
  private static final String MODEL = "facebook/opt-125m";

  private static ImageServer start(FakeTextBackend backend, int maxQueue) throws Exception {
    var config = new ImageServer.Config("127.0.0.1", 0, null, MODEL, RequestLimits.DEFAULT, new Batcher.Limits(8, 0, maxQueue));
    ImageServer server = ImageServer.start(config, () -> backend, new ServeMetrics(GpuTelemetry.none()));
    server.ready().get(60, TimeUnit.SECONDS);
    return server;
  }

  /** The {@code data:} payloads of an SSE body, in order. */
  static List<String> events(String body) {
    List<String> data = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      if (block.isBlank()) continue;
      assertThat(block).startsWith("data: ");
      data.add(block.substring("data: ".length()));
    }
    return data;
  }

  @Test
  void aCompletionAnswersTheTextItsUsageAndItsTimings() throws Exception {
    try (ImageServer server = start(new FakeTextBackend(false), 8)) {
      var r = new Http(server.port()).post(Completions.COMPLETIONS, "{\"model\":\"" + MODEL + "\",\"prompt\":\"Hello\",\"max_tokens\":3}");

      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.path("object").asText()).isEqualTo("text_completion");
      assertThat(body.path("id").asText()).startsWith("cmpl-");
      assertThat(body.path("model").asText()).isEqualTo(MODEL);
      assertThat(body.path("choices").get(0).path("text").asText()).isEqualTo(" t0 t1 t2");
      assertThat(body.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
      assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(5);
      assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
      assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(8);
      assertThat(body.path("metrics").path("compute_ms").asDouble()).isEqualTo(2.0);
      assertThat(body.path("metrics").path("batch_size").asInt()).isEqualTo(1);
      assertThat(body.path("metrics").path("ttft_ms").isNumber()).isTrue();
      assertThat(r.headers().firstValue("Server-Timing").orElseThrow())
          .matches("queue;dur=[0-9.]+, compute;dur=2\\.000, e2e;dur=[0-9.]+, batch;desc=\"1\"");
    }
  }

  @Test
  void aStreamedChatSendsOneChunkPerTokenThenTheFinishThenUsageThenDone() throws Exception {
    try (ImageServer server = start(new FakeTextBackend(false), 8)) {
      var r = new Http(server.port()).post(Completions.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
          + "\"max_tokens\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/event-stream");
      assertThat(r.headers().firstValue("Server-Timing").orElseThrow()).matches("queue;dur=[0-9.]+");
      List<String> events = events(r.body());
      assertThat(events).hasSize(5).last().isEqualTo("[DONE]");
      List<JsonNode> chunks = new ArrayList<>();
      for (String e : events.subList(0, 4)) chunks.add(Json.MAPPER.readTree(e));
      assertThat(chunks).allSatisfy(c -> assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk"));
      assertThat(chunks.stream().map(c -> c.path("id").asText()).distinct()).hasSize(1);
      assertThat(chunks.get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
      assertThat(chunks.get(0).path("choices").get(0).path("delta").path("content").asText()).isEqualTo(" t0");
      assertThat(chunks.get(1).path("choices").get(0).path("delta").has("role")).isFalse();
      assertThat(chunks.get(1).path("choices").get(0).path("delta").path("content").asText()).isEqualTo(" t1");
      assertThat(chunks.get(2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
      assertThat(chunks.get(2).path("metrics").path("compute_ms").asDouble()).isEqualTo(2.0);
      assertThat(chunks.get(3).path("choices")).isEmpty();
      assertThat(chunks.get(3).path("usage").path("completion_tokens").asInt()).isEqualTo(2);
      assertThat(chunks.get(3).path("usage").path("prompt_tokens").asInt()).isEqualTo("user: Hi\nassistant:".length());
    }
  }

  @Test
  void aStreamedCompletionWithoutIncludeUsageSendsNoUsageChunk() throws Exception {
    try (ImageServer server = start(new FakeTextBackend(false), 8)) {
      var r = new Http(server.port()).post(Completions.COMPLETIONS, "{\"prompt\":[5,6,7],\"max_tokens\":1,\"stream\":true}");

      List<String> events = events(r.body());
      assertThat(events).hasSize(3);
      assertThat(Json.MAPPER.readTree(events.get(0)).path("choices").get(0).path("text").asText()).isEqualTo(" t0");
      assertThat(Json.MAPPER.readTree(events.get(1)).has("usage")).isFalse();
      assertThat(events.get(2)).isEqualTo("[DONE]");
    }
  }

  @Test
  void theVllmHistogramsAndTokenCountersAreExportedWithTheModelName() throws Exception {
    try (ImageServer server = start(new FakeTextBackend(false), 8)) {
      var http = new Http(server.port());
      http.post(Completions.COMPLETIONS, "{\"prompt\":\"Hello\",\"max_tokens\":4}");

      var samples = PromText.parse(http.get("/metrics").body());

      String label = "{model_name=\"" + MODEL + "\"}";
      assertThat(samples).containsEntry("vllm:time_to_first_token_seconds_count" + label, 1.0)
          .containsEntry("vllm:inter_token_latency_seconds_count" + label, 3.0)
          .containsEntry("vllm:e2e_request_latency_seconds_count" + label, 1.0)
          .containsEntry("vllm:request_queue_time_seconds_count" + label, 1.0)
          .containsEntry("genbench_tokens_total{kind=\"generation\",model=\"" + MODEL + "\"}", 4.0)
          .containsEntry("genbench_tokens_total{kind=\"prompt\",model=\"" + MODEL + "\"}", 5.0)
          .containsEntry("genbench_requests_total{endpoint=\"/v1/completions\",status=\"200\"}", 1.0);
    }
  }

  @Test
  void aFullQueueAnswers429AndACrashAnswers503() throws Exception {
    var backend = new FakeTextBackend(true);
    try (ImageServer server = start(backend, 1)) {
      var http = new Http(server.port());
      var running = http.postAsync(Completions.COMPLETIONS, "{\"prompt\":\"a\",\"max_tokens\":1}");
      assertThat(backend.awaitStarted()).isTrue();

      // one waits (the queue holds one), the other is refused at once: whichever arrives second
      var b = http.postAsync(Completions.COMPLETIONS, "{\"prompt\":\"b\",\"max_tokens\":1}");
      var c = http.postAsync(Completions.COMPLETIONS, "{\"prompt\":\"c\",\"max_tokens\":1}");
      var refused = (java.net.http.HttpResponse<?>) java.util.concurrent.CompletableFuture.anyOf(b, c).get(60, TimeUnit.SECONDS);
      var waiting = b.isDone() && b.join() == refused ? c : b;
      backend.failure = new ImageBackend.Unavailable("The worker crashed while running this request", null);
      backend.open();

      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(Json.MAPPER.readTree((String) refused.body()).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
      var crashed = running.get(60, TimeUnit.SECONDS);
      assertThat(crashed.statusCode()).isEqualTo(503);
      assertThat(Json.MAPPER.readTree(crashed.body()).path("error").path("message").asText()).contains("crashed");
      assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    }
  }

  @Test
  void badFieldsAreNamedAndImageRequestsToATextModelAreRefused() throws Exception {
    try (ImageServer server = start(new FakeTextBackend(false), 8)) {
      var http = new Http(server.port());

      var noMessages = http.post(Completions.CHAT, "{\"max_tokens\":2}");
      var stop = http.post(Completions.COMPLETIONS, "{\"prompt\":\"x\",\"stop\":[\"\\n\"]}");
      var tooMany = http.post(Completions.COMPLETIONS, "{\"prompt\":\"x\",\"max_tokens\":0}");
      var image = http.post(ImageServer.IMAGES, "{\"prompt\":\"a fox\"}");

      assertThat(noMessages.statusCode()).isEqualTo(400);
      assertThat(Json.MAPPER.readTree(noMessages.body()).path("error").path("param").asText()).isEqualTo("messages");
      assertThat(Json.MAPPER.readTree(stop.body()).path("error").path("param").asText()).isEqualTo("stop");
      assertThat(Json.MAPPER.readTree(tooMany.body()).path("error").path("param").asText()).isEqualTo("max_tokens");
      assertThat(image.statusCode()).isEqualTo(400);
      assertThat(Json.MAPPER.readTree(image.body()).path("error").path("message").asText()).contains("/v1/completions");
    }
  }
}
