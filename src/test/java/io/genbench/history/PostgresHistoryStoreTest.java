package io.genbench.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

  @Test
  void theUserAndPasswordMayComeFromTheEnvironmentInsteadOfTheUrl() {
    String url = emptyStoreUrl();
    Map<String, String> env = new HashMap<>();
    StringBuilder bare = new StringBuilder();
    Matcher m = Pattern.compile("([?&])(user|password)=([^&]*)").matcher(url);
    while (m.find()) {
      env.put(m.group(2).equals("user") ? HistoryLocation.USER_ENV : HistoryLocation.PASSWORD_ENV, m.group(3));
      m.appendReplacement(bare, m.group(1));
    }
    m.appendTail(bare);
    assertThat(env).hasSize(2);

    try (HistoryStore store = HistoryStore.open(HistoryLocation.resolve(bare.toString(), env, Path.of("/nonexistent-home")))) {
      assertThat(store.runs(HistoryFilter.newest(1))).isEmpty();
    }
  }

  @AfterEach
  void dropSchemas() {
    schemas.forEach(TestPostgres::drop);
  }
}
