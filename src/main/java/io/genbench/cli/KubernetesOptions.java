package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.execute.Pricer;
import io.genbench.execute.kubernetes.KubernetesJobExecutor;
import io.genbench.execute.kubernetes.KubernetesName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code genbench run --executor kubernetes}. */
final class KubernetesOptions {
  @Option(names = "--namespace", defaultValue = "default", paramLabel = "NS", description = "kubernetes: namespace of the Jobs (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--image", paramLabel = "IMAGE", description = "kubernetes: the worker image, built from worker/Dockerfile (required)")
  String image;

  @Option(names = "--service-account", paramLabel = "SA", description = "kubernetes: the pods' service account (default: the namespace's)")
  String serviceAccount;

  @Option(names = "--image-pull-secret", paramLabel = "SECRET", description = "kubernetes: an image pull secret; repeatable")
  List<String> pullSecrets = new ArrayList<>();

  @Option(names = "--job-template", paramLabel = "FILE", description = "kubernetes: a Job YAML to use instead of the bundled"
      + " one as the base of every Job; genbench sets name, namespace, labels, deadline, instance type, image, GPUs and"
      + " the job's ConfigMap on it")
  Path template;

  @Option(names = "--parallel", defaultValue = "1", paramLabel = "N", description = "kubernetes: Jobs on different instance"
      + " types at once (default: ${DEFAULT-VALUE})")
  int parallel;

  @Option(names = "--unschedulable-timeout", defaultValue = "15m", paramLabel = "DURATION", description = "kubernetes: a pod"
      + " not scheduled this long fails its cases as infrastructure with the scheduler's reason (default: ${DEFAULT-VALUE})")
  String unschedulable;

  KubernetesJobExecutor.Config config(String runId, boolean tiny, String weights, String saveImages, String backend) {
    if (image == null || image.isBlank()) {
      throw new UserError("--executor kubernetes needs --image: the worker image built from worker/Dockerfile and pushed to a"
          + " registry the cluster can pull from (see the README, Cloud prices and Kubernetes).");
    }
    KubernetesName.IMAGE_REFERENCE.require("--image", image);
    KubernetesName.DNS1123_LABEL.require("--namespace", namespace);
    if (serviceAccount != null) KubernetesName.DNS1123_SUBDOMAIN.require("--service-account", serviceAccount);
    for (String secret : pullSecrets) KubernetesName.DNS1123_SUBDOMAIN.require("--image-pull-secret", secret);
    if (parallel < 1 || parallel > 64) throw new UserError("--parallel must be between 1 and 64, was " + parallel + ".");
    Duration wait = PriceOptions.parseDuration(unschedulable, "--unschedulable-timeout");
    // a device or a FIFO is refused before a byte is read (it would fill memory or block forever)
    if (template != null) io.genbench.InputFile.requireRegular(template, "--job-template");
    String text = template == null ? null : KubernetesJobExecutor.readTemplate(template);
    // a Kubernetes label value: at most 63 characters of [A-Za-z0-9._-]
    String label = runId.replaceAll("[^A-Za-z0-9._-]", "-");
    if (label.length() > 63) label = label.substring(label.length() - 63);
    return new KubernetesJobExecutor.Config(namespace, image, serviceAccount, pullSecrets, text, parallel, wait,
        label.replaceAll("^[^A-Za-z0-9]+", ""), tiny, weights, saveImages, backend);
  }

  static KubernetesJobExecutor executor(KubernetesJobExecutor.Config config, Pricer pricer) {
    return new KubernetesJobExecutor(new io.fabric8.kubernetes.client.KubernetesClientBuilder().build(), config, pricer);
  }
}
