package io.genbench.cli;

/** genbench run, report and history on SQLite files. */
final class SqliteHistoryCommandTest extends HistoryCommandContract {
  @Override
  String emptyStoreUrl() {
    return "jdbc:sqlite:" + tmp.resolve("history.sqlite");
  }
}
