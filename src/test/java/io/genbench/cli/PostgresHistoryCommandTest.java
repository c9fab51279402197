package io.genbench.cli;

import io.genbench.history.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** genbench run, report and history on a real PostgreSQL server, a schema per test; see {@link TestPostgres}. */
final class PostgresHistoryCommandTest extends HistoryCommandContract {
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
