package io.genbench.history;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The history store on a real PostgreSQL server ({@link TestPostgres}): a schema of its own per test. Skipped without
 * a server, failed without one when GENBENCH_REQUIRE_POSTGRES=1.
 */
final class PostgresHistoryStoreTest extends HistoryStoreContract {
  private final List<String> schemas = new ArrayList<>();

  @Override
  String emptyStoreUrl() {
    String url = TestPostgres.freshSchema();
    schemas.add(url);
    return url;
  }

  @AfterEach
  void dropSchemas() {
    schemas.forEach(TestPostgres::drop);
  }
}
