package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.history.HistoryLocation;
import io.genbench.history.HistoryStore;
import io.genbench.history.LoadTrendRuns;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench history trend --load}'s bad input, on SQLite: each names the input and the valid choices, exit 2. */
final class LoadTrendCommandTest {
  private static final String TARGET = "http://127.0.0.1:8000/v1/images/generations";

  @TempDir
  Path tmp;

  private String url;

  @BeforeEach
  void twoLoadRuns() {
    url = "jdbc:sqlite:" + tmp.resolve("history.sqlite");
    try (HistoryStore store = HistoryStore.open(HistoryLocation.resolve(url, Map.of(), tmp))) {
      store.record(LoadTrendRuns.run("l-jan", "2026-01-01T09:00:00Z", TARGET, 20, 40));
      store.record(LoadTrendRuns.run("l-feb", "2026-02-01T09:00:00Z", TARGET, 25));
    }
  }

  @Test
  void anUnknownMetricIsNamedWithTheChoices() {
    Cli r = Cli.run("history", "trend", "--load", TARGET, "--metric", "response_p95,p95", "--history-url", url);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--metric 'p95' is not a load level figure: choose from response_p50, response_p95,")
        .contains("images_per_s, tokens_per_s, error_rate");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aLatencyAlsoGoesByItsCsvColumnNameAndAThroughputDoesNot() {
    Cli ms = Cli.run("history", "trend", "--load", TARGET, "--metric", "response_p99_ms", "--history-url", url);
    Cli bad = Cli.run("history", "trend", "--load", TARGET, "--metric", "images_per_s_ms", "--history-url", url);

    assertThat(ms.exitCode()).as(ms.err()).isZero();
    assertThat(ms.out().lines().toList().getFirst()).endsWith("| requests | response p99 ms |");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--metric 'images_per_s_ms' is not a load level figure");
  }

  @Test
  void aUrlThatNoLoadRunRecordedNamesTheRecordedOnes() {
    Cli other = Cli.run("history", "trend", "--load", "http://127.0.0.1:9999/", "--history-url", url);
    Cli part = Cli.run("history", "trend", "--load", "127.0.0.1:8000", "--history-url", url);

    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("No recorded load run has URL http://127.0.0.1:9999/ in ")
        .contains("Recorded load URLs include: " + TARGET);
    assertThat(part.exitCode()).isEqualTo(2);
    assertThat(part.err()).contains("Recorded URLs that contain it: " + TARGET);
    assertThat(other.out() + part.out()).isEmpty();
  }

  @Test
  void aLevelThatTheUrlNeverRecordedNamesItsLevels() {
    Cli r = Cli.run("history", "trend", "--load", TARGET, "--level", "c9", "--history-url", url);
    Cli filtered = Cli.run("history", "trend", "--load", TARGET, "--level", "c2", "--since", "2026-01-15", "--history-url", url);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("No recorded load run of " + TARGET + " has level 'c9'").contains("Its recorded levels: c1, c2");
    assertThat(filtered.exitCode()).isEqualTo(2);
    assertThat(filtered.err()).contains("No recorded load run of " + TARGET + " in ").contains("is within the filters");
  }

  @Test
  void anEmptyStoreSaysThatNoLoadRunIsRecordedYet() {
    String empty = "jdbc:sqlite:" + tmp.resolve("empty.sqlite");

    Cli r = Cli.run("history", "trend", "--load", TARGET, "--history-url", empty);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no load run is recorded yet");
  }

  @Test
  void caseAndLoadOptionsDoNotMix() {
    Cli both = Cli.run("history", "trend", "some-case", "--load", TARGET, "--history-url", url);
    Cli metricForCase = Cli.run("history", "trend", "some-case", "--metric", "response_p95", "--history-url", url);
    Cli neither = Cli.run("history", "trend", "--history-url", url);
    Cli instance = Cli.run("history", "trend", "--load", TARGET, "--instance", "g5", "--history-url", url);
    Cli chart = Cli.run("history", "trend", "--load", TARGET, "--chart", tmp.resolve("c.svg").toString(), "--history-url", url);

    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("not both");
    assertThat(metricForCase.exitCode()).isEqualTo(2);
    assertThat(metricForCase.err()).contains("--metric applies to load trends");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.err()).contains("needs a CASE_ID or --load URL");
    assertThat(instance.exitCode()).isEqualTo(2);
    assertThat(instance.err()).contains("--instance applies to case trends");
    assertThat(chart.exitCode()).isEqualTo(2);
    assertThat(chart.err()).contains("--chart draws case trends only");
  }

  @Test
  void theDefaultTableShowsLatencyAchievedRateAndErrorRate() {
    Cli r = Cli.run("history", "trend", "--load", TARGET, "--history-url", url);

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().lines().toList().getFirst()).contains("| response p50 ms | response p95 ms | response p99 ms | achieved req/s | error rate |");
    assertThat(r.out()).contains("| l-feb | 2026-02-01 09:00 | c1    | VALID   |     |      100 |           20.00 |           25.00 |"
        + "           30.00 |         40.000 |     0.0000 |")
        .contains("c1 response_p50: 15.00 in l-jan, 20.00 in l-feb (+33.3 %), over 2 runs")
        .doesNotContain("c2 response_p50"); // c2 was recorded once
  }
}
