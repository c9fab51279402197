package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The embedded ONNX model behind the server: real images, one model build, concurrent requests in one batch. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class OnnxServeTest {

  @Test
  void theEmbeddedModelServesPngsAndBatchesConcurrentRequests() throws Exception {
    var config = new ImageServer.Config("127.0.0.1", 0, null, "stabilityai/stable-diffusion-2-1", RequestLimits.DEFAULT,
        new Batcher.Limits(3, 30_000_000_000L, 64));
    try (ImageServer server = ImageServer.start(config, () -> OnnxImageBackend.build(1), new ServeMetrics(GpuTelemetry.none()))) {
      assertThat(server.ready().get(120, TimeUnit.SECONDS).builtModel()).isEqualTo("genbench/sd-2-1-small");
      var http = new Http(server.port());
      String body = "{\"prompt\":\"a red fox\",\"size\":\"64x128\",\"steps\":2,\"seed\":%d}";

      var first = http.postAsync(ImageServer.IMAGES, body.formatted(1));
      var second = http.postAsync(ImageServer.IMAGES, body.formatted(2));
      var again = http.postAsync(ImageServer.IMAGES, body.formatted(1));
      JsonNode a = Json.MAPPER.readTree(first.get(120, TimeUnit.SECONDS).body());
      JsonNode b = Json.MAPPER.readTree(second.get(120, TimeUnit.SECONDS).body());
      JsonNode c = Json.MAPPER.readTree(again.get(120, TimeUnit.SECONDS).body());

      var png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(a.path("data").get(0).path("b64_json").asText())));
      assertThat(png.getWidth()).isEqualTo(64);
      assertThat(png.getHeight()).isEqualTo(128);
      assertThat(a.path("metrics").path("batch_size").asInt()).isEqualTo(3);
      assertThat(a.path("metrics").path("compute_ms").asDouble()).isPositive().isEqualTo(b.path("metrics").path("compute_ms").asDouble());
      // an image is its seed's, whatever else shares its batch
      assertThat(c.path("data").get(0).path("b64_json").asText()).isEqualTo(a.path("data").get(0).path("b64_json").asText());
      assertThat(b.path("data").get(0).path("b64_json").asText()).isNotEqualTo(a.path("data").get(0).path("b64_json").asText());
    }
  }
}
