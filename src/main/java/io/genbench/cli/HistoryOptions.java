package io.genbench.cli;

import io.genbench.history.HistoryError;
import io.genbench.history.HistoryLocation;
import io.genbench.history.HistoryStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --history-url}: where the run history is, for every command that reads or records it. */
class HistoryOptions {

  @Option(names = HistoryLocation.OPTION, paramLabel = "URL",
      description = "the history store: jdbc:sqlite:FILE or jdbc:postgresql://HOST:PORT/DATABASE[?user=U&password=P]"
          + " (default: " + HistoryLocation.URL_ENV + ", else $XDG_DATA_HOME/genbench/history.sqlite where set, else"
          + " $HOME/.genbench/history.sqlite; a PostgreSQL user and password"
          + " may also come from " + HistoryLocation.USER_ENV + " and " + HistoryLocation.PASSWORD_ENV + ")")
  String url;

  /** The store in force: the option, the environment, or the default file. A bad URL is a usage error. */
  HistoryLocation location() {
    return HistoryLocation.resolve(url, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * Opens the store for a history command, whose whole job it is: one that cannot be opened is a {@link HistoryError}
   * (exit 1, the store and the cause named).
   */
  HistoryStore open() {
    return HistoryStore.open(location());
  }
}
