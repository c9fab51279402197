package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class KubernetesDryRunTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

  @TempDir
  Path tmp;

  private Path plan() {
    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "comparison", "--instance-types", "g5.xlarge", "g6e.xlarge", "--output", plan.toString()).exitCode()).isZero();
    return plan;
  }

  private Cli dryRun(String... options) {
    List<String> args = new ArrayList<>(List.of("run", plan().toString(), "--executor", "kubernetes", "--dry-run", "--out",
        tmp.resolve("run").toString()));
    args.addAll(List.of(options));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Every YAML document of a dry run's stdout; fails when stdout is not YAML from its first byte to its last. */
  private static List<JsonNode> documents(String stdout) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(stdout)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isMissingNode()) docs.add(d);
      }
    }
    return docs;
  }

  private static List<Job> jobs(String stdout) {
    return Stream.of(stdout.split("(?m)^---$")).filter(d -> d.contains("kind: \"Job\"") || d.contains("kind: Job"))
        .map(d -> Serialization.unmarshal(d, Job.class)).toList();
  }

  @Test
  void theDryRunPrintsTheJobsAsYamlThatFabric8ReadsBack() {
    Cli r = dryRun("--image", "registry.example/genbench-worker:1", "--namespace", "bench");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<Job> jobs = jobs(r.out());
    assertThat(jobs).extracting(j -> j.getSpec().getTemplate().getSpec().getNodeSelector().get("node.kubernetes.io/instance-type"))
        .contains("g5.xlarge", "g6e.xlarge");
    assertThat(jobs).allSatisfy(j -> {
      assertThat(j.getMetadata().getNamespace()).isEqualTo("bench");
      assertThat(j.getMetadata().getLabels()).containsEntry("genbench.io/run", "run");
      var pod = j.getSpec().getTemplate().getSpec();
      assertThat(pod.getContainers().getFirst().getImage()).isEqualTo("registry.example/genbench-worker:1");
      assertThat(pod.getContainers().getFirst().getResources().getRequests()).containsKey("memory");
      assertThat(pod.getContainers().getFirst().getResources().getLimits()).containsKey("nvidia.com/gpu");
      assertThat(pod.getVolumes()).singleElement().satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo(j.getMetadata().getName()));
      assertThat(j.getSpec().getActiveDeadlineSeconds()).isPositive();
    });
  }

  @Test
  void stdoutHoldsTheManifestsAloneAndTheEstimateGoesToStderr() throws Exception {
    Cli r = dryRun("--image", "registry.example/genbench-worker:1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> docs = documents(r.out());
    assertThat(docs).isNotEmpty().allSatisfy(d -> assertThat(d.path("kind").asText()).isIn("ConfigMap", "Job"));
    assertThat(docs).filteredOn(d -> d.path("kind").asText().equals("Job")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(r.err()).contains("g5.xlarge").contains("cost total");
  }

  static Stream<Arguments> injections() {
    return Stream.of(
        Arguments.of("--image", "r/x:1\n  securityContext: {privileged: true}"),
        Arguments.of("--image", "r/x:1\"\n        securityContext:\n          privileged: true\n#"),
        Arguments.of("--image", "Registry/UPPER:1"),
        Arguments.of("--namespace", "bench\n  annotations: {evil: \"yes\"}"),
        Arguments.of("--namespace", "../../kube-system"),
        Arguments.of("--namespace", "a".repeat(64)),
        Arguments.of("--service-account", "sa\n      securityContext: {privileged: true}"),
        Arguments.of("--service-account", "Admin"),
        Arguments.of("--image-pull-secret", "regcred}\n      hostNetwork: true"),
        Arguments.of("--image-pull-secret", "-secret"));
  }

  @ParameterizedTest
  @MethodSource("injections")
  void aValueThatBreaksItsKubernetesRuleExits2NamingTheOption(String option, String value) {
    List<String> args = new ArrayList<>(List.of("--image", "registry.example/genbench-worker:1"));
    if (option.equals("--image")) args.clear();
    args.addAll(List.of(option, value));

    Cli r = dryRun(args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(option).containsAnyOf("DNS-1123 label", "DNS-1123 subdomain", "image reference")
        .doesNotContain("internal error");
    assertThat(r.out()).doesNotContain("privileged").doesNotContain("kind:");
  }

  @Test
  void anImageWithRegistryPortTagAndDigestIsAccepted() throws Exception {
    String image = "registry:5000/a/b:tag@" + DIGEST;

    Cli r = dryRun("--image", image, "--namespace", "kube-bench-1", "--service-account", "genbench.runner", "--image-pull-secret",
        "reg-cred", "--image-pull-secret", "other.secret");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(documents(r.out())).isNotEmpty();
    assertThat(r.out()).doesNotContain("privileged");
    assertThat(jobs(r.out())).allSatisfy(j -> {
      var pod = j.getSpec().getTemplate().getSpec();
      assertThat(pod.getContainers().getFirst().getImage()).isEqualTo(image);
      assertThat(pod.getServiceAccountName()).isEqualTo("genbench.runner");
      assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("reg-cred", "other.secret");
    });
  }

  @Test
  void aUsersTemplateIsTheBaseOfEveryJobAndItsPlaceholdersStillWork() throws Exception {
    Path template = tmp.resolve("job.yaml");
    Files.writeString(template, """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: ${NAME}
          namespace: ${NAMESPACE}
          annotations:
            team: vision
        spec:
          backoffLimit: 2
          activeDeadlineSeconds: ${DEADLINE_S}
          template:
            spec:
              restartPolicy: Never
              priorityClassName: batch-low
              containers:
                - name: worker
                  image: ${IMAGE}
                  command: ["python3", "-m", "genbench_worker", "--job", "/etc/genbench/job.json"]
                  args: ["--note", "${INSTANCE_TYPE}"]
                  resources:
                    limits:
                      nvidia.com/gpu: "${GPUS}"
                      cpu: "4"
        """);

    Cli r = dryRun("--image", "registry.example/w:2", "--namespace", "bench", "--job-template", template.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(jobs(r.out())).hasSizeGreaterThanOrEqualTo(2).allSatisfy(j -> {
      assertThat(j.getMetadata().getName()).startsWith("genbench-");
      assertThat(j.getMetadata().getNamespace()).isEqualTo("bench");
      assertThat(j.getMetadata().getAnnotations()).containsEntry("team", "vision");
      assertThat(j.getSpec().getBackoffLimit()).isEqualTo(2);
      var pod = j.getSpec().getTemplate().getSpec();
      assertThat(pod.getPriorityClassName()).isEqualTo("batch-low");
      var worker = pod.getContainers().getFirst();
      assertThat(worker.getImage()).isEqualTo("registry.example/w:2");
      assertThat(worker.getArgs().get(1)).isEqualTo(pod.getNodeSelector().get("node.kubernetes.io/instance-type"));
      assertThat(worker.getResources().getLimits()).containsKeys("cpu", "nvidia.com/gpu");
      assertThat(j.getSpec().getActiveDeadlineSeconds()).isPositive();
      assertThat(pod.getVolumes()).extracting("name").contains("job");
    });
  }

  @Test
  void aTemplateOfAnotherKindIsAUsageError() throws Exception {
    Path template = tmp.resolve("pod.yaml");
    Files.writeString(template, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n");

    Cli r = dryRun("--image", "registry.example/w:2", "--job-template", template.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--job-template").contains("kind is Pod");
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
