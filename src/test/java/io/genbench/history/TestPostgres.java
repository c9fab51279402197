package io.genbench.history;

import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server of the history tests: {@code GENBENCH_TEST_POSTGRES_URL} (scripts/test starts one on loopback
 * and sets it). Without it the PostgreSQL tests skip, unless {@code GENBENCH_REQUIRE_POSTGRES=1}: then they fail. Each
 * test gets a schema of its own, dropped afterwards, so every test starts from an empty store.
 */
public final class TestPostgres {
  public static final String URL_ENV = "GENBENCH_TEST_POSTGRES_URL";
  public static final String REQUIRE_ENV = "GENBENCH_REQUIRE_POSTGRES";
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

  private TestPostgres() {}

  /** The test database's URL; skips the calling test (or fails it, when required) where there is none. */
  public static String url() {
    String url = System.getenv(URL_ENV);
    if (url == null || url.isBlank()) {
      if ("1".equals(System.getenv(REQUIRE_ENV))) {
        fail(REQUIRE_ENV + "=1 but " + URL_ENV + " is not set: the PostgreSQL history tests cannot run (scripts/test starts a server and sets both)");
      }
      Assumptions.abort(URL_ENV + " is not set (scripts/test sets it): PostgreSQL history tests skipped");
    }
    String host = URI.create(url.substring("jdbc:".length())).getHost();
    if (!LOOPBACK.contains(host)) fail(URL_ENV + " must point at a loopback address (tests reach nothing else), was host " + host);
    return url;
  }

  /** Creates an empty schema in the test database and returns a URL whose connections work in it. */
  public static String freshSchema() {
    String url = url();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    execute(url, "CREATE SCHEMA " + schema);
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Drops the schema of a URL from {@link #freshSchema()}, with everything in it. */
  public static void drop(String schemaUrl) {
    String schema = schemaUrl.substring(schemaUrl.lastIndexOf("currentSchema=") + "currentSchema=".length());
    execute(url(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  public static void execute(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
