package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.genbench.UserError;
import io.genbench.execute.LocalProcessExecutor;
import org.junit.jupiter.api.Test;

final class ModelsCommandTest {

  @Test
  void listsTheArchitecturesWithTheWorkersParameterCounts() {
    try {
      LocalProcessExecutor.findPython(System.getenv("GENBENCH_PYTHON"));
    } catch (UserError e) {
      assumeThat(System.getenv("GENBENCH_REQUIRE_WORKER")).as("no Python with torch").isNull();
      return;
    }

    Cli r = Cli.run("models");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("stabilityai/stable-diffusion-2-1 .*unet 865\\.9")
        .containsPattern("stabilityai/stable-diffusion-xl-base-1\\.0 .*unet 2567\\.5")
        .containsPattern("stabilityai/stable-video-diffusion-img2vid-xt .*unet 1524\\.6")
        .containsPattern("facebook/opt-1\\.3b .*model 1315\\.8");
  }
}
