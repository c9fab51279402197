package io.genbench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

final class PlanFileTest {
  private static final Plan PLAN = new Plan(Mode.COMPARISON, Settings.DEFAULT,
      TestMatrix.of(Mode.COMPARISON).cases(t -> OptionalDouble.of(24)));

  @Test
  void yamlRoundTripKeepsEveryCase() {
    String yaml = PlanFile.toYaml(PLAN, "header");

    Plan read = PlanFile.parse(yaml, "plan.yaml");

    assertThat(read.cases()).isEqualTo(PLAN.cases());
    assertThat(read.settings()).isEqualTo(PLAN.settings());
    assertThat(yaml).startsWith("# header").contains("id: sd-2-1-g6exlarge-b1-s20-1024x1024-float16");
  }

  @Test
  void jsonIsAcceptedToo() {
    Plan read = PlanFile.parse(PlanFile.toJson(PLAN), "plan.json");

    assertThat(read.cases()).isEqualTo(PLAN.cases());
  }

  @Test
  void anUnknownKeyNamesTheKeyItsLineAndTheKnownKeys() {
    String yaml = """
        version: 1
        cases:
          - model: stabilityai/stable-diffusion-2-1
            instance_type: g5.xlarge
            batchsize: 4
        """;

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("\"batchsize\"").hasMessageContaining("line 5").hasMessageContaining("batch_size");
  }

  @Test
  void aBadValueNamesTheCase() {
    String yaml = """
        cases:
          - id: mine
            model: stabilityai/stable-diffusion-2-1
            instance_type: g5.xlarge
            precision: half
        """;

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("\"half\"").hasMessageContaining("plan.yaml case 1 \"mine\"");
  }

  @Test
  void aDiffusionKnobOnAnLlmCaseIsRefusedInThePlanNotAfterTheModelIsBuilt() {
    String yaml = """
        cases:
          - model: facebook/opt-1.3b
            instance_type: g5.xlarge
            cuda_graphs: "on"
        """;

    assertThatThrownBy(() -> PlanFile.parse(yaml.replace("cuda_graphs", "channels_last"), "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("plan.yaml case 1").hasMessageContaining("channels_last on applies to a diffusion UNet")
        .hasMessageContaining("facebook/opt-1.3b").hasMessageContaining("channels_last auto or off");
    assertThat(PlanFile.parse(yaml.replace("cuda_graphs", "channels_last").replace("\"on\"", "\"off\""), "plan.yaml").cases()).hasSize(1);
    // cuda_graphs on is an LLM's graph decode over a static KV cache
    assertThat(PlanFile.parse(yaml, "plan.yaml").cases().getFirst().knobs().cudaGraphs()).isEqualTo(Toggle.ON);
  }

  @Test
  void duplicateIdsAreRejected() {
    String yaml = """
        cases:
          - model: sdxl
            instance_type: g5.xlarge
          - model: stabilityai/stable-diffusion-xl-base-1.0
            instance_type: g5.xlarge
        """;

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class).hasMessageContaining("Duplicate case id");
  }

  @Test
  void aPlanWithoutCasesIsRejected() {
    assertThatThrownBy(() -> PlanFile.parse("version: 1\ncases: []\n", "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("no cases");
  }

  @Test
  void badSettingsAreRejected() {
    String yaml = """
        settings:
          min_iterations: 5
          max_iterations: 2
        cases:
          - model: sdxl
            instance_type: g5.xlarge
        """;

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class).hasMessageContaining("max_iterations");
  }

  @Test
  void aStaleDerivedIdAfterAnEditIsRejected() {
    String yaml = """
        cases:
          - id: sd-2-1-g5xlarge-b1-s20-float16
            model: stabilityai/stable-diffusion-2-1
            instance_type: g5.xlarge
            batch_size: 4
            precision: float16
        """;

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("sd-2-1-g5xlarge-b4-s20-float16").hasMessageContaining("delete the id");
  }

  @Test
  void aNameOfTheUsersOwnIsKept() {
    String yaml = """
        cases:
          - id: my-oom-probe
            model: sdxl
            instance_type: g5.xlarge
        """;

    assertThat(PlanFile.parse(yaml, "plan.yaml").cases().getFirst().id()).isEqualTo("my-oom-probe");
  }

  @Test
  void valuesTheWorkerWouldRejectAreRejectedHere() {
    for (String bad : new String[] {"guidance_scale: -1", "frames: 0", "prompt_tokens: 0", "output_tokens: -2", "prompt: \" \""}) {
      String model = bad.startsWith("frames") ? "stabilityai/stable-video-diffusion-img2vid-xt" : "facebook/opt-125m";
      String yaml = "cases:\n  - model: " + model + "\n    instance_type: g5.xlarge\n    " + bad + "\n";

      assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).as(bad).isInstanceOf(UserError.class)
          .hasMessageContaining(bad.substring(0, bad.indexOf(':')));
    }
  }

  @Test
  void aWrongTypeNamesTheKeyAndWhatItExpects() {
    String yaml = "cases:\n  - model: sdxl\n    instance_type: g5.xlarge\n    batch_size: four\n";

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageContaining("\"batch_size\"").hasMessageContaining("an integer").hasMessageContaining("line 4");
  }

  @Test
  void anLlmCaseIsWrittenWithOnlyItsWorkloadsKeysAndReadsBackTheSame() {
    TestCase llm = TestCase.llm(Model.OPT_125M, "g5.xlarge", 2, Precision.FLOAT16, 256, 32);
    Plan plan = new Plan(null, Settings.DEFAULT, java.util.List.of(llm));

    String yaml = PlanFile.toYaml(plan, "header");

    assertThat(yaml).contains("prompt_tokens: 256", "output_tokens: 32")
        .doesNotContain("inference_steps", "resolution", "prompt:", "guidance_scale", "scheduler", "frames");
    assertThat(PlanFile.parse(yaml, "plan.yaml").cases()).containsExactly(llm);
  }

  @Test
  void aPlanFromBeforeCasesHeldOnlyTheirWorkloadReadsItsLlmCaseWithoutTheDiffusionDefaults() {
    String yaml = """
        cases:
          - model: facebook/opt-125m
            instance_type: g5.xlarge
            inference_steps: 20
            resolution: 8x8
            prompt: a photo of an astronaut riding a horse on mars
            guidance_scale: 7.5
            scheduler: euler
            prompt_tokens: 128
            output_tokens: 64
        """;

    TestCase c = PlanFile.parse(yaml, "plan.yaml").cases().getFirst();

    assertThat(c.workload()).isEqualTo(new Workload.Llm(128, 64));
    assertThat(c.id()).isEqualTo("opt-125m-g5xlarge-b1-p128-o64-float16");
  }
}
