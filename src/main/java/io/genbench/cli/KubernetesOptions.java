package io.genbench.cli;

import io.genbench.run.KubernetesRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code genbench run --executor kubernetes} ({@link KubernetesRequest} checks them). */
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

  KubernetesRequest request() {
    return new KubernetesRequest(namespace, image, serviceAccount, List.copyOf(pullSecrets), template, parallel, unschedulable);
  }
}
