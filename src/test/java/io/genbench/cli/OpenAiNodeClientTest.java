package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.ExternalTool;
import io.genbench.Json;
import io.genbench.metrics.GrafanaDashboard;
import io.genbench.metrics.Metric;
import io.genbench.metrics.PromQlNames;
import io.genbench.plan.Model;
import io.genbench.serve.ImageServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Acceptance: the official OpenAI client library (npm {@code openai}, run by Node; GENBENCH_NODE and
 * GENBENCH_NODE_PATH from scripts/tools.sh) drives a real {@code genbench serve} on 127.0.0.1 through
 * src/test/resources/openai-client/serve-client.cjs: {@code images.generate} with {@code b64_json}, and serve's
 * errors arriving as the client's typed errors. The script's {@code llm} part (a completion, a streamed chat
 * completion) waits for serve's LLM endpoints.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class OpenAiNodeClientTest {
  private static final String KEY = "genbench-test-key";

  @Test
  void theOfficialClientGeneratesImagesAndGetsServesErrorsAsTypedErrors(@TempDir Path dir) throws Exception {
    Path node = ExternalTool.require("GENBENCH_NODE", "node");
    Path modules = ExternalTool.requireDirectory("GENBENCH_NODE_PATH", List.of(Path.of(".tools/npm/node_modules")),
        "the npm package openai's node_modules");
    var command = new ServeCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--model", "sd-2-1", "--port", "0", "--threads", "1", "--max-batch-size", "2", "--api-key", KEY);

    try (ImageServer serve = command.start()) {
      JsonNode out = client(node, modules, dir, "http://127.0.0.1:" + serve.port() + "/v1", "images");

      assertThat(out.path("models")).extracting(JsonNode::asText).containsExactly(Model.parse("sd-2-1", "--model").id());
      assertThat(out.path("images")).hasSize(2).allSatisfy(image -> {
        assertThat(image.path("png_signature").asBoolean()).isTrue();
        assertThat(image.path("width").asInt()).isEqualTo(64);
        assertThat(image.path("height").asInt()).isEqualTo(64);
        assertThat(image.path("bytes").asInt()).isGreaterThan(100);
      });
      assertThat(out.path("image_metrics").path("batch_size").asInt()).isEqualTo(2);

      JsonNode badSize = out.path("bad_size");
      assertThat(badSize.path("class").asText()).isEqualTo("BadRequestError");
      assertThat(badSize.path("bad_request").asBoolean()).isTrue();
      assertThat(badSize.path("status").asInt()).isEqualTo(400);
      assertThat(badSize.path("param").asText()).isEqualTo("size");
      assertThat(badSize.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(badSize.path("message").asText()).contains("65x64");
      assertThat(out.path("bad_n").path("status").asInt()).isEqualTo(400);
      assertThat(out.path("bad_n").path("param").asText()).isEqualTo("n");

      JsonNode wrongKey = out.path("wrong_key");
      assertThat(wrongKey.path("class").asText()).isEqualTo("AuthenticationError");
      assertThat(wrongKey.path("authentication").asBoolean()).isTrue();
      assertThat(wrongKey.path("status").asInt()).isEqualTo(401);
    }
  }

  @Test
  void theOfficialClientGetsACompletionAndAStreamedChatChunkByChunk(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(classExists("io.genbench.serve.Completions"), "serve's LLM endpoints are not on this branch yet (h2-llmserve)");
    Path node = ExternalTool.require("GENBENCH_NODE", "node");
    Path modules = ExternalTool.requireDirectory("GENBENCH_NODE_PATH", List.of(Path.of(".tools/npm/node_modules")),
        "the npm package openai's node_modules");
    var command = new ServeCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--backend", "torch", "--model", "opt-125m", "--tiny", "--port", "0", "--api-key", KEY);

    try (ImageServer serve = command.start()) {
      JsonNode out = client(node, modules, dir, "http://127.0.0.1:" + serve.port() + "/v1", "llm");

      JsonNode completion = out.path("completion");
      assertThat(completion.path("text").isTextual()).as(completion.toString()).isTrue();
      assertThat(completion.path("finish_reason").asText()).isIn("length", "stop");
      assertThat(completion.path("usage").path("completion_tokens").asInt()).isBetween(1, 4);
      assertThat(completion.path("usage").path("prompt_tokens").asInt()).isPositive();
      JsonNode chat = out.path("chat_stream");
      assertThat(chat.path("content_chunks").asInt()).as(chat.toString()).isBetween(1, 4);
      assertThat(chat.path("chunks").asInt()).isGreaterThanOrEqualTo(chat.path("content_chunks").asInt());
      assertThat(chat.path("finish_reason").asText()).isIn("length", "stop");
      assertThat(out.path("bad_max_tokens").path("class").asText()).isEqualTo("BadRequestError");
      assertThat(out.path("bad_max_tokens").path("param").asText()).isEqualTo("max_tokens");

      // the dashboard's LLM panels (vLLM's names) and tokens per second query series this serve now exports
      String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + serve.port() + "/metrics")).timeout(java.time.Duration.ofSeconds(10)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      Set<String> exported = new HashSet<>();
      scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
      Set<String> llmSeries = Arrays.stream(Metric.values()).filter(m -> m.scope() == Metric.Scope.LLM || m == Metric.TOKENS)
          .flatMap(m -> m.series().stream()).collect(Collectors.toSet());
      List<String> queried = GrafanaDashboard.expressions().stream().flatMap(e -> PromQlNames.of(e).stream())
          .filter(llmSeries::contains).distinct().toList();
      assertThat(queried).hasSizeGreaterThan(4);
      assertThat(exported).containsAll(queried);
    }
  }

  private static boolean classExists(String name) {
    try {
      Class.forName(name, false, OpenAiNodeClientTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Runs the script against {@code baseUrl} with its HOME in {@code dir}; its stdout's JSON line. */
  private static JsonNode client(Path node, Path modules, Path dir, String baseUrl, String... parts) throws Exception {
    Path script = Path.of(OpenAiNodeClientTest.class.getResource("/openai-client/serve-client.cjs").toURI());
    List<String> cmd = new ArrayList<>(List.of(node.toString(), script.toString(), baseUrl, KEY));
    cmd.addAll(List.of(parts));
    Path stdout = dir.resolve("client.out");
    Path stderr = dir.resolve("client.err");
    var pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.environment().put("NODE_PATH", modules.toAbsolutePath().toString());
    pb.environment().put("HOME", dir.toString());
    pb.environment().remove("OPENAI_API_KEY");
    pb.environment().remove("OPENAI_BASE_URL");
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the node client ran over 120 s; stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
    }
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("node serve-client.cjs exit; stderr:\n" + err).isZero();
    String out = Files.readString(stdout, StandardCharsets.UTF_8).strip();
    return Json.MAPPER.readTree(out.substring(out.lastIndexOf('\n') + 1));
  }
}
