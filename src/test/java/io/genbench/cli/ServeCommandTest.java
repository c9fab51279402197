package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.serve.ImageServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ServeCommandTest {

  @Test
  void theDiffusersBackendWithoutAPipelineFolderIsAUsageError() {
    var r = Cli.run("serve", "--model", "sd-2-1", "--backend", "diffusers", "--port", "0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--backend diffusers").contains("--weights");
  }

  @Test
  void workerOptionsOnTheOnnxBackendAreAUsageError() {
    var r = Cli.run("serve", "--model", "sd-2-1", "--tiny", "--port", "0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tiny").contains("--backend torch");
  }

  @Test
  void servesAnLlmThroughTheTorchWorkerAsTheOnnxErrorAdvises() throws Exception {
    var command = new ServeCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--backend", "torch", "--model", "opt-125m",
        "--tiny", "--port", "0");

    try (ImageServer server = command.start()) {
      var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
          .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Hi\",\"max_tokens\":2}")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("\"completion_tokens\":");
    }
  }

  @Test
  void halfPrecisionOnTheOnnxBackendIsAUsageErrorNamingTheChoices() {
    var r = Cli.run("serve", "--model", "sd-2-1", "--precision", "float16", "--port", "0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--precision float16").contains("float32");
  }

  @Test
  void anLlmIsNotServedByTheImageBackend() {
    var r = Cli.run("serve", "--model", "opt-125m", "--port", "0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--model opt-125m").contains("--backend torch");
  }

  @Test
  void anUnknownModelIsAUsageError() {
    var r = Cli.run("serve", "--model", "sd-9", "--port", "0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("sd-9").contains("stabilityai/stable-diffusion-2-1");
  }

  @Test
  void servesOnLoopbackByDefaultOnceTheModelIsBuilt() throws Exception {
    var command = new ServeCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--model", "sd-2-1", "--port", "0", "--threads", "1");

    try (ImageServer server = command.start()) {
      var client = HttpClient.newHttpClient();
      var ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ready"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(command.host).isEqualTo("127.0.0.1");
      assertThat(ready.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void onlyLoopbackAddressesCountAsThisMachineOnly() {
    assertThat(ImageServer.isLoopback("127.0.0.1")).isTrue();
    assertThat(ImageServer.isLoopback("localhost")).isTrue();
    assertThat(ImageServer.isLoopback("::1")).isTrue();
    assertThat(ImageServer.isLoopback("0.0.0.0")).isFalse();
    assertThat(ImageServer.isLoopback("192.168.1.5")).isFalse();
  }
}
