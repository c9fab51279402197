package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import org.junit.jupiter.api.Test;

final class LoadPlanTest {

  @Test
  void aPlanGetsItsDefaultsAndTheApisDefaultPath() {
    LoadPlan plan = LoadPlan.parse("targets: [http://127.0.0.1:8000]\napi: openai-chat\nprofile: poisson 2.5\n", "plan.yaml");

    assertThat(plan.targets()).containsExactly("http://127.0.0.1:8000/v1/chat/completions");
    assertThat(plan.durationS()).isEqualTo(10.0);
    assertThat(plan.connections()).isEqualTo(64);
    assertThat(plan.stream()).isTrue();
  }

  @Test
  void theStoredPlanReadsBackToTheSamePlan() {
    LoadPlan plan = LoadPlan.parse("targets: [http://h:1/x]\napi: generic\nbody_template: '{\"p\": \"{{prompt}}\"}'\n"
        + "result_pointer: /images\nprofile: sweep 0.5,1\nseed: 9\n", "plan.yaml");

    assertThat(LoadPlan.parse(plan.yaml(), "load.yaml")).isEqualTo(plan);
  }

  @Test
  void anUnknownKeyIsAnErrorNamingItAndTheValidKeys() {
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: openai-images\nduraton_s: 5\n", "plan.yaml"))
        .isInstanceOf(UserError.class).hasMessageContaining("\"duraton_s\"").hasMessageContaining("plan.yaml")
        .hasMessageContaining("line 3").hasMessageContaining("duration_s");
  }

  @Test
  void badValuesNameTheKeyAndTheValidChoices() {
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: openai-video\n", "p.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("openai-video").hasMessageContaining("openai-images, openai-completions");
    assertThatThrownBy(() -> LoadPlan.parse("targets: [ftp://h]\napi: openai-images\n", "p.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("ftp://h");
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: generic\nbody_template: '{\"p\": {{prompt}}}'\n", "p.yaml")
        .levels(java.nio.file.Path.of("."))).isInstanceOf(UserError.class);
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: openai-images\nper_prompt: 5\n", "p.yaml"))
        .isInstanceOf(UserError.class).hasMessageContaining("5+20");
  }

  @Test
  void partialImagesStreamOnlyImageAnswersAsB64Json() {
    assertThat(LoadPlan.parse("targets: [http://h:1]\napi: openai-images\npartial_images: 2\n", "p.yaml").partialImages()).isEqualTo(2);
    assertThat(LoadPlan.parse("targets: [http://h:1]\napi: openai-images\n", "p.yaml").partialImages()).isNull();
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: openai-chat\npartial_images: 2\n", "p.yaml"))
        .isInstanceOf(UserError.class).hasMessageContaining("--api openai-images").hasMessageContaining("p.yaml");
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: openai-images\npartial_images: -1\n", "p.yaml"))
        .isInstanceOf(UserError.class).hasMessageContaining("partial_images must be between 0 and 100");
    assertThatThrownBy(() -> LoadPlan.parse("targets: [http://h:1]\napi: openai-images\nresponse_format: url\npartial_images: 1\n",
        "p.yaml")).isInstanceOf(UserError.class).hasMessageContaining("b64_json");
  }
}
