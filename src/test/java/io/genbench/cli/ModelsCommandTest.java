package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.env.HostCommand;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.plan.Model;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ModelsCommandTest {

  @Test
  void listsTheArchitecturesWithParameterCountsWithoutPython() {
    Cli r = Cli.run("models");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("stabilityai/stable-diffusion-2-1 .*unet 865\\.9")
        .containsPattern("stabilityai/stable-diffusion-xl-base-1\\.0 .*unet 2567\\.5")
        .containsPattern("stabilityai/stable-video-diffusion-img2vid-xt .*unet 1524\\.6")
        .containsPattern("facebook/opt-1\\.3b .*model 1315\\.8").doesNotContain(" ?\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void theBundledTableCoversEveryBuiltInModel() throws Exception {
    JsonNode bundled = ModelsCommand.bundledCounts();

    assertThat(bundled.path("models").findValuesAsText("id")).containsAll(Model.ALL.stream().map(Model::id).toList());
  }

  @Test
  void theBundledTableEqualsTheWorkersOwnCount() throws Exception {
    String python;
    try {
      python = LocalProcessExecutor.findPython(System.getenv("GENBENCH_PYTHON"));
    } catch (UserError e) {
      assumeThat(System.getenv("GENBENCH_REQUIRE_WORKER")).as("no Python with torch").isNull();
      return;
    }

    var result = HostCommand.run(List.of(python, "-m", "genbench_worker", "--list-models"),
        Map.of("PYTHONPATH", Path.of("worker/src").toAbsolutePath().toString()), Duration.ofSeconds(120), false);

    assertThat(result).isPresent();
    assertThat(result.get().exit()).as(result.get().out()).isZero();
    assertThat(Json.MAPPER.readTree(result.get().out()))
        .as("regenerate with: PYTHONPATH=worker/src python3 -m genbench_worker --list-models > src/main/resources" + ModelsCommand.PARAMETERS)
        .isEqualTo(ModelsCommand.bundledCounts());
  }
}
