package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuiteConfigTest {
  @Test
  void theFilesKeysAreReadOnceIntoTypedSettingsAndAbsentKeysAreNull() throws Exception {
    SuiteConfig cfg = SuiteConfig.parse(Json.YAML.readTree(
        "models: [facebook/opt-125m]\nbatch_sizes: [1, 8]\nmax_bytes: 4096\nprecision: bfloat16\nseed: 7\n"), "suite.yaml");

    SuiteConfig.Settings s = cfg.settings();
    assertThat(s.models()).containsExactly("facebook/opt-125m");
    assertThat(s.batchSizes()).containsExactly(1, 8);
    assertThat(s.maxBytes()).isEqualTo(4096L);
    assertThat(s.precision()).isEqualTo("bfloat16");
    assertThat(s.seed()).isEqualTo(7L);
    assertThat(s.samples()).isNull();
    assertThat(s.tpSizes()).isNull();
    assertThat(SuiteConfig.Settings.or(s.tpSizes(), List.of(1, 2))).containsExactly(1, 2);
    assertThat(cfg.get("max_bytes").toString()).isEqualTo("4096"); // passed on to the worker as given
  }

  @Test
  void anEmptyConfigHasNoSettings() {
    assertThat(SuiteConfig.empty().settings()).isEqualTo(new SuiteConfig.Settings(null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null));
  }
}
