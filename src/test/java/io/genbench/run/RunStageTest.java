package io.genbench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.cost.Lifecycle;
import io.genbench.cost.PriceSettings;
import io.genbench.execute.Backend;
import io.genbench.execute.ExecutorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run stage without the command line: its checks, before anything runs or is written. */
final class RunStageTest {
  @TempDir
  Path tmp;

  @Test
  void aRequestWithNeitherPlanNorRunDirectoryIsAUsageError() {
    var request = request(null, null, Backend.ONNX, null, Lifecycle.ONDEMAND, Set.of());

    assertThatThrownBy(() -> new RunStage(request).run()).isInstanceOf(UserError.class)
        .hasMessage("Give a PLAN file, or --resume DIR (not both).");
  }

  @Test
  void aResumedRunRefusesAnOptionGivenAgainThatDisagreesWithTheOneItStartedWith() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(run.resolve(RunOptions.FILE), Json.PRETTY.writeValueAsString(new RunOptions("onnx", false, null, null,
        "ondemand", "us-east-1", null, 1, "local", null, null)));

    var request = request(null, run, Backend.AUTO, null, Lifecycle.SPOT, Set.of("--lifecycle"));

    assertThatThrownBy(() -> new RunStage(request).run()).isInstanceOf(UserError.class)
        .hasMessageContaining("was started with --lifecycle ondemand; resuming it with --lifecycle spot");
  }

  @Test
  void severalGpusWithTheEmbeddedBackendAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path plan = Files.writeString(tmp.resolve("plan.yaml"), "not read: the options are checked first\n");

    var request = request(plan, null, Backend.ONNX, "0,1", Lifecycle.ONDEMAND, Set.of("--gpus"));

    assertThatThrownBy(() -> new RunStage(request).run()).isInstanceOf(UserError.class)
        .hasMessageStartingWith("--gpus 0,1 runs one PyTorch worker per GPU, and backend onnx runs in this JVM");
    try (var files = Files.list(tmp)) {
      assertThat(files.toList()).containsExactly(plan);
    }
  }

  @Test
  void freshWorkersWithTheEmbeddedBackendAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path plan = Files.writeString(tmp.resolve("plan.yaml"), "not read: the options are checked first\n");

    var request = request(plan, null, Backend.ONNX, null, Lifecycle.ONDEMAND, Set.of("--fresh-workers"), true);

    assertThatThrownBy(() -> new RunStage(request).run()).isInstanceOf(UserError.class)
        .hasMessage("--fresh-workers restarts the local PyTorch worker per model group and trial; backend onnx runs in this"
            + " JVM, with no worker. Leave --fresh-workers out, or use --backend torch or diffusers.");
    try (var files = Files.list(tmp)) {
      assertThat(files.toList()).containsExactly(plan);
    }
  }

  private RunRequest request(Path plan, Path resume, Backend backend, String gpus, Lifecycle lifecycle, Set<String> given) {
    return request(plan, resume, backend, gpus, lifecycle, given, false);
  }

  private RunRequest request(Path plan, Path resume, Backend backend, String gpus, Lifecycle lifecycle, Set<String> given,
      boolean freshWorkers) {
    return new RunRequest(plan, resume, false, backend, ExecutorKind.LOCAL, tmp.resolve("out"), lifecycle, "us-east-1", null,
        null, false, null, null, 1, 1, freshWorkers, gpus, 1, false, null, false, null, new PriceSettings("offline", tmp.resolve("prices"),
        "1h", null), new KubernetesRequest("default", null, null, List.of(), null, 1, "15m"), true, null, given, List.of(), tmp);
  }
}
