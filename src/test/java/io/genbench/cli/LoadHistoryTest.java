package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.load.FakeOpenAi;
import io.genbench.load.LoadRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code genbench load} records its run in the history as {@code run} does; {@code history record} takes a load run. */
@Timeout(60)
final class LoadHistoryTest {
  @TempDir
  Path tmp;

  private String url() {
    return "jdbc:sqlite:" + tmp.resolve("history.sqlite");
  }

  @Test
  void aLoadRunIsRecordedAndListedAsKindLoad() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      Path out = tmp.resolve("20261201-100000-load");

      Cli load = Cli.run("load", server.url("/"), "--requests", "5", "--history-url", url(), "--out", out.toString());
      Cli list = Cli.run("history", "list", "--history-url", url());

      assertThat(load.exitCode()).as(load.err()).isZero();
      assertThat(load.err()).contains("genbench: history: recorded 20261201-100000-load (1 level)");
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).contains("| kind |").contains("| 20261201-100000-load | load |");
    }
  }

  @Test
  void noHistoryRecordsNothingAndHistoryRecordAddsTheLoadRunLater() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      Path out = tmp.resolve("quiet");

      Cli load = Cli.run("load", server.url("/"), "--requests", "3", "--no-history", "--out", out.toString());
      Cli empty = Cli.run("history", "list", "--history-url", url());
      Cli record = Cli.run("history", "record", out.toString(), "--history-url", url());
      Cli list = Cli.run("history", "list", "--history-url", url(), "--format", "csv");

      assertThat(load.exitCode()).as(load.err()).isZero();
      assertThat(load.err()).doesNotContain("history: recorded");
      assertThat(empty.out()).doesNotContain("quiet");
      assertThat(record.exitCode()).as(record.err()).isZero();
      assertThat(record.out()).contains("recorded load run quiet: ").contains(" of 1 levels VALID");
      assertThat(list.out().lines().filter(l -> l.contains(",quiet,")).findFirst().orElseThrow()).endsWith(",load");
    }
  }

  @Test
  void noHistoryWithAHistoryUrlIsAUsageErrorBeforeAnyRequest() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      Cli load = Cli.run("load", server.url("/"), "--requests", "3", "--no-history", "--history-url", url(), "--out",
          tmp.resolve("x").toString());

      assertThat(load.exitCode()).isEqualTo(2);
      assertThat(load.err()).contains("--no-history and --history-url contradict each other");
      assertThat(server.requests.get()).isZero();
    }
  }

  @Test
  void aLoadPlanFileAcceptsTheHistoryOptions() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      Path plan = java.nio.file.Files.writeString(tmp.resolve("load.yaml"), "targets: [" + server.url("/") + "]\napi: openai-images\nrequests: 3\n");

      Cli load = Cli.run("load", plan.toString(), "--no-history", "--out", tmp.resolve("p").toString());

      assertThat(load.exitCode()).as(load.err()).isZero();
    }
  }

  @Test
  void aCaseRunAndALoadRunAreRecordedTogether() {
    Path load = LoadRuns.synthetic(tmp.resolve("l1"), "http://127.0.0.1:1/", 1, 20, 10);

    Cli record = Cli.run("history", "record", CompareCommandTest.SEED000.toString(), load.toString(), "--history-url", url());
    Cli list = Cli.run("history", "list", "--history-url", url());

    assertThat(record.exitCode()).as(record.err()).isZero();
    assertThat(list.out()).contains("| l1 ").contains("| load |").contains("| run  |");
  }
}
