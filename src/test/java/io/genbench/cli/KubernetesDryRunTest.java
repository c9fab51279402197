package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KubernetesDryRunTest {
  @TempDir
  Path tmp;

  @Test
  void theDryRunPrintsTheJobsAsYamlThatFabric8ReadsBack() {
    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "comparison", "--instance-types", "g5.xlarge", "g6e.xlarge", "--output", plan.toString()).exitCode()).isZero();

    Cli r = Cli.run("run", plan.toString(), "--executor", "kubernetes", "--image", "registry.example/genbench-worker:1", "--namespace",
        "bench", "--dry-run", "--out", tmp.resolve("run").toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    String yaml = r.out().substring(r.out().indexOf("---"));
    List<Job> jobs = Arrays.stream(yaml.split("(?m)^---$")).filter(d -> d.contains("kind: \"Job\"") || d.contains("kind: Job"))
        .map(d -> Serialization.unmarshal(d, Job.class)).toList();
    assertThat(jobs).extracting(j -> j.getSpec().getTemplate().getSpec().getNodeSelector().get("node.kubernetes.io/instance-type"))
        .contains("g5.xlarge", "g6e.xlarge");
    assertThat(jobs).allSatisfy(j -> {
      assertThat(j.getMetadata().getNamespace()).isEqualTo("bench");
      assertThat(j.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo("registry.example/genbench-worker:1");
      assertThat(j.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources().getRequests()).containsKey("memory");
    });
  }

  @Test
  void kubernetesWithoutAnImageIsAUsageError() {
    Path plan = tmp.resolve("plan.yaml");
    Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "--output", plan.toString());

    Cli r = Cli.run("run", plan.toString(), "--executor", "kubernetes", "--dry-run");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--image");
  }
}
