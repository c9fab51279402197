package io.genbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SecretsTest {

  @Test
  void aPasswordParameterAndUserInfoAreMaskedAndTheRestOfTheUrlStays() {
    assertThat(Secrets.redact("jdbc:postgresql://bob:hunter2@db:5432/bench?user=bob&password=hunter2&ssl=true"))
        .isEqualTo("jdbc:postgresql://bob:***@db:5432/bench?user=bob&password=***&ssl=true");
    assertThat(Secrets.redact("UnknownHostException: bob:hunter2@db")).isEqualTo("UnknownHostException: bob:***@db");
  }

  @Test
  void keysThatNameASecretHaveTheirValuesMaskedWhateverTheirCase() {
    assertThat(Secrets.redact("aws_secret_access_key=abc/def CI_JOB_TOKEN=t0k PGPASSWORD=x api-key: k1"))
        .isEqualTo("aws_secret_access_key=*** CI_JOB_TOKEN=*** PGPASSWORD=*** api-key: ***");
    assertThat(Secrets.redact("key AKIAIOSFODNN7EXAMPLE here")).isEqualTo("key AKIA*** here");
  }

  @Test
  void settingsThatOnlyLookLikeSecretsStay() {
    String ordinary = "--max-tokens=128 tokens_per_s=12.5 tokenizer=gpt2 http://host:8080/path --resolutions 64x64 12:30";

    assertThat(Secrets.redact(ordinary)).isEqualTo(ordinary);
    assertThat(Secrets.redact("?user=NAME&password=SECRET")).isEqualTo("?user=NAME&password=SECRET");
  }

  @Test
  void aCommandLineMasksTheValueAfterAnOptionNamingASecret() {
    assertThat(Secrets.redact(List.of("genbench", "run", "--api-token", "t0k", "--history-url=jdbc:postgresql://h/d?password=p", "plan.yaml")))
        .containsExactly("genbench", "run", "--api-token", "***", "--history-url=jdbc:postgresql://h/d?password=***", "plan.yaml");
  }

  @Test
  void anEnvironmentMasksVariablesNamingASecret() {
    assertThat(Secrets.redact(Map.of("GENBENCH_HISTORY_PASSWORD", "p", "HF_TOKEN", "t", "MY_SECRET_FILE", "s",
        "GENBENCH_HISTORY_URL", "jdbc:postgresql://u:p@h/d", "HOME", "/home/ada")))
        .containsEntry("GENBENCH_HISTORY_PASSWORD", "***").containsEntry("HF_TOKEN", "***").containsEntry("MY_SECRET_FILE", "***")
        .containsEntry("GENBENCH_HISTORY_URL", "jdbc:postgresql://u:***@h/d").containsEntry("HOME", "/home/ada");
  }
}
