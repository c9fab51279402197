package io.genbench.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HistoryLocationTest {
  private static final Path HOME = Path.of("/home/ada");

  @Test
  void withNothingSetTheStoreIsAnSqliteFileUnderTheUsersHome() {
    HistoryLocation at = HistoryLocation.resolve(null, Map.of(), HOME);

    assertThat(at.url()).isEqualTo("jdbc:sqlite:/home/ada/.genbench/history.sqlite");
    assertThat(at.vendor()).isEqualTo(HistoryLocation.Vendor.SQLITE);
    assertThat(at.sqliteFile()).isEqualTo(Path.of("/home/ada/.genbench/history.sqlite"));
    assertThat(at.source()).isEqualTo("the default");
  }

  @Test
  void theHomeIsTakenFromHomeNotFromJavasUserHome() {
    HistoryLocation at = HistoryLocation.resolve(null, Map.of("HOME", "/elsewhere"), HOME);

    assertThat(at.sqliteFile()).isEqualTo(Path.of("/elsewhere/.genbench/history.sqlite"));
  }

  @Test
  void xdgDataHomeWhereSetHoldsTheDefaultStore() {
    HistoryLocation at = HistoryLocation.resolve(null, Map.of("HOME", "/elsewhere", "XDG_DATA_HOME", "/data"), HOME);

    assertThat(at.sqliteFile()).isEqualTo(Path.of("/data/genbench/history.sqlite"));
  }

  @Test
  void aRelativeXdgDataHomeIsIgnoredAsTheSpecificationSays() {
    HistoryLocation at = HistoryLocation.resolve(null, Map.of("HOME", "/elsewhere", "XDG_DATA_HOME", "data"), HOME);

    assertThat(at.sqliteFile()).isEqualTo(Path.of("/elsewhere/.genbench/history.sqlite"));
  }

  @Test
  void aHistoryAlreadyInTheClassicPlaceIsNotLeftBehindWhenXdgDataHomeIsSetLater(@TempDir Path tmp) throws Exception {
    Path classic = Files.createDirectories(tmp.resolve("home/.genbench")).resolve("history.sqlite");
    Files.writeString(classic, "");
    Map<String, String> env = Map.of("HOME", tmp.resolve("home").toString(), "XDG_DATA_HOME", tmp.resolve("data").toString());

    Path before = HistoryLocation.resolve(null, env, HOME).sqliteFile();
    Files.createDirectories(tmp.resolve("data/genbench"));
    Files.writeString(tmp.resolve("data/genbench/history.sqlite"), "");
    Path after = HistoryLocation.resolve(null, env, HOME).sqliteFile();

    assertThat(before).isEqualTo(classic);
    assertThat(after).isEqualTo(tmp.resolve("data/genbench/history.sqlite"));
  }

  @Test
  void theOptionWinsOverTheEnvironmentWhichWinsOverTheDefault() {
    Map<String, String> env = Map.of("GENBENCH_HISTORY_URL", "jdbc:postgresql://127.0.0.1:5432/bench",
        "GENBENCH_HISTORY_USER", "bench", "GENBENCH_HISTORY_PASSWORD", "s3cret");

    HistoryLocation fromEnv = HistoryLocation.resolve(null, env, HOME);
    HistoryLocation fromOption = HistoryLocation.resolve("jdbc:sqlite:team.sqlite", env, HOME);

    assertThat(fromEnv.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/bench");
    assertThat(fromEnv.source()).isEqualTo("GENBENCH_HISTORY_URL");
    assertThat(fromEnv.vendor()).isEqualTo(HistoryLocation.Vendor.POSTGRESQL);
    assertThat(fromEnv.user()).isEqualTo("bench");
    assertThat(fromEnv.password()).isEqualTo("s3cret");
    assertThat(fromEnv.sqliteFile()).isNull();
    assertThat(fromOption.url()).isEqualTo("jdbc:sqlite:team.sqlite");
    assertThat(fromOption.source()).isEqualTo("--history-url");
  }

  @Test
  void anEmptyEnvironmentVariableCountsAsUnset() {
    HistoryLocation at = HistoryLocation.resolve(null, Map.of("GENBENCH_HISTORY_URL", " "), HOME);

    assertThat(at.source()).isEqualTo("the default");
  }

  @Test
  void anUnsupportedUrlIsAUserErrorNamingItWhereItCameFromAndTheValidForms() {
    assertThatThrownBy(() -> HistoryLocation.resolve("mysql://db/bench", Map.of(), HOME))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("\"mysql://db/bench\"").hasMessageContaining("--history-url")
        .hasMessageContaining("jdbc:sqlite:FILE").hasMessageContaining("jdbc:postgresql://HOST:PORT/DATABASE");
    assertThatThrownBy(() -> HistoryLocation.resolve(null, Map.of("GENBENCH_HISTORY_URL", "postgres://db/bench"), HOME))
        .isInstanceOf(UserError.class).hasMessageContaining("\"postgres://db/bench\" (from GENBENCH_HISTORY_URL)");
  }

  @Test
  void aPasswordInTheUrlIsNeverShown() {
    HistoryLocation at = HistoryLocation.resolve("jdbc:postgresql://127.0.0.1/bench?user=u&password=s3cret&ssl=false", Map.of(), HOME);

    assertThat(at.describe()).isEqualTo("jdbc:postgresql://127.0.0.1/bench?user=u&password=***&ssl=false (from --history-url)");
    assertThat(at.toString()).doesNotContain("s3cret");
    assertThatThrownBy(() -> HistoryLocation.resolve("pg://x?password=s3cret", Map.of(), HOME)).hasMessageNotContaining("s3cret");
  }

  @Test
  void aServerThatCannotBeReachedIsAHistoryErrorNamingTheStoreWithoutItsPassword() {
    // port 1 on loopback: nothing listens, the connection is refused at once
    HistoryLocation at = HistoryLocation.resolve("jdbc:postgresql://127.0.0.1:1/bench?password=s3cret", Map.of(), HOME);

    assertThatThrownBy(() -> HistoryStore.open(at)).isInstanceOf(HistoryError.class)
        .hasMessageStartingWith("cannot open the history store jdbc:postgresql://127.0.0.1:1/bench?password=*** (from --history-url): ")
        .hasMessageNotContaining("s3cret");
  }
}
