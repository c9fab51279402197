package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class RunMetricsOptionTest {

  private static WorkerEvent sample(String id, int i) {
    return new WorkerEvent.Sample(id, i, "measure", 1_000_000L, 1L, List.of(1L), 1L, 1, null, null, null, null, i);
  }

  @Test
  void progressCountsFinishedCasesTheCaseInFlightAndTheirSamples(@TempDir Path tmp) throws Exception {
    RunDirectory dir = RunDirectory.create(tmp.resolve("run"));
    try (var a = dir.startCase("a")) {
      a.append(sample("a", 0));
      a.append(sample("a", 1));
    }
    Files.writeString(dir.caseDir("a").resolve("result.json"), "{}");
    var progress = new RunMetricsOption.DirectoryProgress(dir, 3);
    try (var b = dir.startCase("b")) {
      b.append(sample("b", 0));
    }

    var p = progress.read();

    assertThat(p.cases()).isEqualTo(3);
    assertThat(p.casesDone()).isEqualTo(1);
    assertThat(p.current()).containsExactly("b");
    assertThat(p.samples()).isEqualTo(3);
    assertThat(p.etaSeconds()).as("no case finished in this process yet").isNaN();

    Files.writeString(dir.caseDir("b").resolve("result.json"), "{}");
    var later = progress.read();

    assertThat(later.casesDone()).isEqualTo(2);
    assertThat(later.current()).isEmpty();
    assertThat(later.etaSeconds()).isPositive();
  }

  @Test
  void aRunWithMetricsPortServesItsProgressOnLoopback(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", OnnxRun.plan(tmp).toString(), "--backend", "onnx", "--threads", "1", "--out", out.toString(),
        "--no-history", "--metrics-port", "0");

    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = Pattern.compile("progress metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(r.err());
    assertThat(m.find()).as(r.err()).isTrue();
    var text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1))).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(text).contains("genbench_run_cases 1.0").contains("genbench_run_cases_done 1.0").contains("genbench_run_eta_seconds 0.0")
        .doesNotContain("genbench_run_current_case{");
    var samples = Pattern.compile("genbench_run_samples ([0-9.]+)").matcher(text);
    assertThat(samples.find()).isTrue();
    assertThat(Double.parseDouble(samples.group(1))).isGreaterThanOrEqualTo(3);
  }
}
