package io.genbench.history;

import io.genbench.UserError;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the run history is stored: a JDBC URL, and where that URL came from (for messages).
 *
 * @param url {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://HOST[:PORT]/DATABASE[?user=..&password=..]}
 * @param source where the URL came from, in words: {@code --history-url}, {@code GENBENCH_HISTORY_URL} or
 *     {@code the default}
 * @param user the database user from {@code GENBENCH_HISTORY_USER}, or null (a user in the URL wins)
 * @param password the password from {@code GENBENCH_HISTORY_PASSWORD}, or null (a password in the URL wins)
 */
public record HistoryLocation(String url, String source, String user, String password) {
  public static final String URL_ENV = "GENBENCH_HISTORY_URL";
  public static final String USER_ENV = "GENBENCH_HISTORY_USER";
  public static final String PASSWORD_ENV = "GENBENCH_HISTORY_PASSWORD";
  public static final String OPTION = "--history-url";

  private static final String SQLITE = "jdbc:sqlite:";
  private static final String POSTGRESQL = "jdbc:postgresql:";

  /** The database behind a location. */
  public enum Vendor { SQLITE, POSTGRESQL }

  public HistoryLocation {
    vendorOf(url, source); // a location is valid or does not exist
  }

  /**
   * The location in force: {@code option} when given, else {@code GENBENCH_HISTORY_URL}, else the
   * {@linkplain #defaultFile default file}. An unsupported URL is a {@link UserError} naming it, where it came from and
   * the valid forms.
   *
   * @param env the process environment ({@code GENBENCH_HISTORY_*}, {@code XDG_DATA_HOME}, {@code HOME})
   * @param userHome Java's {@code user.home}: the home when {@code HOME} is unset
   */
  public static HistoryLocation resolve(String option, Map<String, String> env, Path userHome) {
    String user = blankToNull(env.get(USER_ENV));
    String password = blankToNull(env.get(PASSWORD_ENV));
    if (option != null) return new HistoryLocation(option.strip(), OPTION, user, password);
    String fromEnv = blankToNull(env.get(URL_ENV));
    if (fromEnv != null) return new HistoryLocation(fromEnv, URL_ENV, user, password);
    return new HistoryLocation(SQLITE + defaultFile(env, userHome), "the default", user, password);
  }

  /**
   * The default store, one SQLite file per user whatever installation of genbench records into it:
   * {@code $XDG_DATA_HOME/genbench/history.sqlite} where {@code XDG_DATA_HOME} is set to an absolute path (unless only
   * the classic file exists yet: a history is never left behind), else {@code ~/.genbench/history.sqlite} with
   * {@code ~} from {@code HOME}, else from {@code userHome}.
   */
  public static Path defaultFile(Map<String, String> env, Path userHome) {
    String home = blankToNull(env.get("HOME"));
    Path classic = (home != null ? Path.of(home) : userHome).resolve(".genbench").resolve("history.sqlite");
    String data = blankToNull(env.get("XDG_DATA_HOME"));
    if (data == null || !Path.of(data).isAbsolute()) return classic; // the XDG spec: a relative path is to be ignored
    Path xdg = Path.of(data).resolve("genbench").resolve("history.sqlite");
    return java.nio.file.Files.exists(classic) && !java.nio.file.Files.exists(xdg) ? classic : xdg;
  }

  public Vendor vendor() {
    return vendorOf(url, source);
  }

  /** The SQLite database file, or null for PostgreSQL and for an in-memory SQLite database. */
  public Path sqliteFile() {
    if (vendor() != Vendor.SQLITE) return null;
    String rest = url.substring(SQLITE.length());
    int query = rest.indexOf('?');
    if (query >= 0) rest = rest.substring(0, query);
    if (rest.startsWith("file:")) rest = rest.substring("file:".length());
    if (rest.isEmpty() || rest.equals(":memory:") || rest.startsWith(":resource:")) return null;
    return Path.of(rest);
  }

  /** The URL as it may be printed (a password in it masked), and where it came from. */
  public String describe() {
    return masked(url) + (source.equals("the default") ? "" : " (from " + source + ")");
  }

  /** The URL with any password in it ({@code password=}, {@code user:PASSWORD@}) masked, for messages and commands to copy. */
  public String displayUrl() {
    return masked(url);
  }

  private static String masked(String url) {
    return io.genbench.Secrets.redact(url);
  }

  private static Vendor vendorOf(String url, String source) {
    if (url == null || url.isBlank()) {
      throw new UserError("The history store URL from " + source + " is empty. " + VALID);
    }
    if (url.startsWith(SQLITE)) return Vendor.SQLITE;
    if (url.startsWith(POSTGRESQL)) return Vendor.POSTGRESQL;
    throw new UserError("Unsupported history store \"" + masked(url) + "\" (from " + source + "). " + VALID);
  }

  private static final String VALID = "Known: jdbc:sqlite:FILE (the default is ~/.genbench/history.sqlite, or"
      + " $XDG_DATA_HOME/genbench/history.sqlite) and"
      + " jdbc:postgresql://HOST:PORT/DATABASE (user and password as ?user=NAME&password=SECRET in the URL, or in "
      + USER_ENV + " and " + PASSWORD_ENV + ").";

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return "HistoryLocation[" + describe() + "]"; // never the password
  }
}
