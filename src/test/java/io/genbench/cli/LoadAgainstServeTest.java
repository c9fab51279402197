package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import io.genbench.serve.Batcher;
import io.genbench.serve.ImageServer;
import io.genbench.serve.OnnxImageBackend;
import io.genbench.serve.RequestLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** genbench load against an in-process genbench serve on the embedded ONNX model: queue against compute, end to end. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class LoadAgainstServeTest {
  @TempDir Path dir;

  @Test
  void loadReportsTheServersQueueAndComputeFromItsServerTimingHeader() throws Exception {
    var config = new ImageServer.Config("127.0.0.1", 0, null, "stabilityai/stable-diffusion-2-1", RequestLimits.DEFAULT,
        new Batcher.Limits(2, 0, 64));
    try (ImageServer server = ImageServer.start(config, () -> OnnxImageBackend.build(1), new ServeMetrics(GpuTelemetry.none()))) {
      server.ready().get(120, TimeUnit.SECONDS);
      Path out = dir.resolve("run");

      Cli cli = Cli.run("load", "http://127.0.0.1:" + server.port(), "--api", "openai-images", "--size", "64x64",
          "--profile", "concurrency 2", "--requests", "6", "--duration", "60", "--warmup-requests", "0", "--warmup", "0",
          "--out", out.toString());

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      List<String> csv = Files.readAllLines(out.resolve("requests.csv"));
      assertThat(csv.get(0)).endsWith(",server_queue_ms,server_compute_ms");
      assertThat(csv).hasSize(7);
      for (String line : csv.subList(1, csv.size())) {
        String[] cells = line.split(",", -1);
        double queue = Double.parseDouble(cells[cells.length - 2]);
        double compute = Double.parseDouble(cells[cells.length - 1]);
        double responseMs = Long.parseLong(cells[10]) / 1e6;
        assertThat(queue).as(line).isGreaterThanOrEqualTo(0);
        assertThat(compute).as(line).isPositive().isLessThan(responseMs);
      }
      JsonNode level = Json.MAPPER.readTree(out.resolve("results.json").toFile()).path("levels").get(0);
      assertThat(level.path("server_compute_ns").path("n").asInt()).isEqualTo(6);
      assertThat(level.path("server_queue_ns").path("n").asInt()).isEqualTo(6);
      assertThat(level.path("server_overhead_ns").path("p50").asLong()).isPositive()
          .isLessThan(level.path("response_ns").path("p50").asLong());
      assertThat(Files.readString(out.resolve("report.md"))).contains("## Server timing").contains("overhead P99");
      assertThat(Files.readAllLines(out.resolve("levels.csv")).get(0)).endsWith(",server_overhead_p50_ms,server_overhead_p99_ms");
    }
  }
}
