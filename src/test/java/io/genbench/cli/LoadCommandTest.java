package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.load.FakeOpenAi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
final class LoadCommandTest {
  @TempDir Path dir;

  @Test
  void seed003sPlanIsOneCommandComparingTwoEndpoints() throws Exception {
    try (FakeOpenAi fp32 = new FakeOpenAi(); FakeOpenAi fp16 = new FakeOpenAi()) {
      fp32.serviceMs = 20;
      fp16.serviceMs = 10;
      Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a red fox\na blue car\n{\"prompt\": \"a green tree\"}\n");
      Path out = dir.resolve("run");

      Cli cli = Cli.run("load", fp32.url("/"), fp16.url("/"), "--api", "openai-images", "--prompts", prompts.toString(),
          "--per-prompt", "2+3", "--out", out.toString());

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(fp32.requests.get()).isEqualTo(15);
      assertThat(fp16.requests.get()).isEqualTo(15);
      assertThat(Files.readAllLines(out.resolve("requests.csv"))).hasSize(1 + 30);
      String report = Files.readString(out.resolve("report.md"));
      assertThat(report).contains("Targets compared with T1").contains("done - scheduled");
      JsonNode results = Json.MAPPER.readTree(out.resolve("results.json").toFile());
      assertThat(results.path("levels")).hasSize(2);
      assertThat(results.path("levels").get(0).path("requests").asInt()).isEqualTo(9);
      assertThat(results.path("levels").get(0).path("warmup").asInt()).isEqualTo(6);
      double slow = results.path("levels").get(0).path("response_ns").path("p50").asDouble();
      double fast = results.path("levels").get(1).path("response_ns").path("p50").asDouble();
      assertThat(fast).isLessThan(slow);
      assertThat(out.resolve("report.html")).exists();
      assertThat(out.resolve("load.yaml")).content().contains("per_prompt: 2+3");
      assertThat(out.resolve("hlog/t1-c1.hlog")).content().contains("Tag=response");
      assertThat(cli.out()).contains("Response time").contains("Run directory: " + out);
    }
  }

  @Test
  void streamedImagesReportTheirFirstPartialImage() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.tokenGapMs = 100; // between partial images: the first one is sent 2 x 100 ms before the answer ends (checked: 15 ms)
      Path out = dir.resolve("run");

      Cli cli = Cli.run("load", server.url("/"), "--api", "openai-images", "--partial-images", "2", "--requests", "3",
          "--out", out.toString());

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      List<String> lines = Files.readAllLines(out.resolve("requests.csv"));
      List<String> header = List.of(lines.get(0).split(","));
      List<java.util.Map<String, String>> rows = lines.stream().skip(1).map(l -> { // ok rows hold no quoted field
        String[] cells = l.split(",", -1);
        java.util.Map<String, String> row = new java.util.HashMap<>();
        for (int i = 0; i < header.size(); i++) row.put(header.get(i), cells[i]);
        return row;
      }).toList();
      assertThat(rows).hasSize(3).allSatisfy(r -> {
        assertThat(r.get("error")).isEmpty();
        assertThat(r.get("images")).isEqualTo("1");
        assertThat(Long.parseLong(r.get("done_ns")) - Long.parseLong(r.get("first_byte_ns"))).isGreaterThanOrEqualTo(15_000_000L);
      });
      assertThat(Files.readString(out.resolve("report.md"))).contains("first partial image P50");
      assertThat(out.resolve("load.yaml")).content().contains("partial_images: 2");
    }
  }

  @Test
  void aLoadPlanRunsAsItsOptionsWouldAndIsStoredWithTheRun() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.tokens = 4;
      Path plan = Files.writeString(dir.resolve("load.yaml"), "targets: [" + server.url("") + "]\napi: openai-chat\n"
          + "profile: sweep concurrency 1,2\nrequests: 4\nduration_s: 20\n");
      Path out = dir.resolve("run");

      Cli cli = Cli.run("load", plan.toString(), "--out", out.toString());

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(Files.readString(out.resolve("report.md"))).contains("Tokens (ms)").contains("TPOT mean (tokens)");
      assertThat(out.resolve("charts/cdf-itl.svg")).exists();
      assertThat(out.resolve("charts/response-vs-load.svg")).exists();
      assertThat(Files.readString(out.resolve("load.yaml"))).contains("profile: \"sweep concurrency 1,2\"");
    }
  }

  @Test
  void anUnknownKeyInALoadPlanIsAUsageErrorNamingTheValidKeys() throws Exception {
    Path plan = Files.writeString(dir.resolve("load.yaml"), "targets: [http://127.0.0.1:9]\napi: openai-images\nrate: 5\n");

    Cli cli = Cli.run("load", plan.toString());

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("\"rate\"").contains("profile").contains(plan.toString());
  }

  @Test
  void optionsBesideALoadPlanAreAUsageError() throws Exception {
    Path plan = Files.writeString(dir.resolve("load.yaml"), "targets: [http://127.0.0.1:9]\napi: openai-images\n");

    Cli cli = Cli.run("load", plan.toString(), "--duration", "5");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--duration");
  }

  @Test
  void aLevelWithoutOneSuccessExitsThreeAndShowsItsErrors() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      Path out = dir.resolve("run");

      Cli cli = Cli.run("load", server.url("/error"), "--requests", "3", "--out", out.toString());

      assertThat(cli.exitCode()).as(cli.err()).isEqualTo(3);
      assertThat(Files.readString(out.resolve("report.md"))).contains("Errors by kind").contains("http-status 3").contains("HTTP 503");
    }
  }

  @Test
  void eachLevelIsJudgedValidOrInvalidAndAgainstTheSlo() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.serviceMs = 30;
      Path out = dir.resolve("run");

      Cli cli = Cli.run("load", server.url("/"), "--profile", "constant 20", "--duration", "1", "--slo", "p95<=5ms", "--out", out.toString());

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      String report = Files.readString(out.resolve("report.md"));
      assertThat(report).contains("INVALID").contains("SLO FAIL").contains("response\\_p95");
      JsonNode level = Json.MAPPER.readTree(out.resolve("results.json").toFile()).path("levels").get(0);
      assertThat(level.path("valid").asBoolean()).isFalse(); // 1 s and 20 requests are under the 10 s and 50 validity needs
      assertThat(level.path("slo_pass").asBoolean()).isFalse();
    }
  }

  @Test
  void aBareSweepSearchesTheMaximumSustainableRateUnderTheSlo() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      server.serviceMs = 100; // one connection: at most 10 req/s
      Path out = dir.resolve("run");
      Path plan = Files.writeString(dir.resolve("load.yaml"), "targets: [" + server.url("") + "]\napi: openai-images\n"
          + "profile: sweep from 4\nslo: p95<=1s\nconnections: 1\nduration_s: 0.5\nmin_duration_s: 0.5\nmin_requests: 5\n"
          + "max_levels: 6\n");

      Cli cli = Cli.run("load", plan.toString(), "--out", out.toString(), "--instance-type", "g5.xlarge", "--prices", "offline");

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(Files.readString(out.resolve("report.md"))).contains("## Capacity under the SLO").contains("per 1000 images").contains("Maximum sustainable rate");
      JsonNode capacity = Json.MAPPER.readTree(out.resolve("results.json").toFile()).path("capacity").get(0);
      assertThat(capacity.path("slo").asText()).isEqualTo("response_p95<=1s");
      assertThat(capacity.path("search").path("levels").size()).isBetween(2, 6);
      // each search level is scheduled long enough for its window (first scheduled to last done) to reach the minimum
      for (JsonNode level : Json.MAPPER.readTree(out.resolve("results.json").toFile()).path("levels")) {
        assertThat(level.path("invalid_reasons").toString()).as(level.path("level").asText()).doesNotContain("shorter than the minimum");
      }
    }
  }

  @Test
  void aBareSweepWithoutAnSloIsAUsageError() {
    Cli cli = Cli.run("load", "http://127.0.0.1:9", "--profile", "sweep");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--slo").contains("sweep 0.5,1,2");
  }
}
