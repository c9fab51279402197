package io.genbench.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history store on SQLite, the default: a file of its own per test. */
final class SqliteHistoryStoreTest extends HistoryStoreContract {
  @TempDir
  Path tmp;

  private int stores;

  @Override
  String emptyStoreUrl() {
    return "jdbc:sqlite:" + tmp.resolve("history-" + ++stores + ".sqlite");
  }

  @Test
  void withNoSetUpTheStoreIsAFileInTheUsersHomeCreatedWithItsDirectory() {
    Path home = tmp.resolve("home");

    try (HistoryStore store = HistoryStore.open(HistoryLocation.resolve(null, Map.of(), home))) {
      assertThat(store.runs(HistoryFilter.newest(1))).isEmpty();
    }

    assertThat(home.resolve(".genbench/history.sqlite")).isNotEmptyFile();
  }
}
