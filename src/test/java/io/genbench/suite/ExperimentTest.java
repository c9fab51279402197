package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ExperimentTest {

  @Test
  void anUnknownExperimentNamesEveryValidChoice() {
    assertThatThrownBy(() -> Experiment.parse("bandwith")).isInstanceOf(UserError.class)
        .hasMessageContaining("collectives, bandwidth, pipeline-diffusion, tp, pp-overhead");
  }

  @Test
  void theLaunchIsPyTorchsLauncherOnLoopback() {
    ObjectNode config = Json.MAPPER.createObjectNode().put("total_steps", 4);
    Launch launch = new Launch("/usr/bin/python3", Path.of("worker/src"), Experiment.PIPELINE_DIFFUSION, 2, true, config,
        Duration.ofMinutes(1));

    assertThat(launch.command(29555)).containsSubsequence("/usr/bin/python3", "-m", "genbench_worker.suite.torchrun",
        "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", "29555", "-m", "genbench_worker.suite",
        "pipeline-diffusion", "--config", "{\"total_steps\":4}", "--simulate");
    assertThat(launch.environment(null)).containsEntry("CUDA_VISIBLE_DEVICES", "").containsEntry("PYTHONPATH", "worker/src");
  }
}
