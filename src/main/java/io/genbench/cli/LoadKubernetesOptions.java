package io.genbench.cli;

import io.genbench.Durations;
import io.genbench.InputFile;
import io.genbench.UserError;
import io.genbench.execute.kubernetes.GeneratorJobs;
import io.genbench.execute.kubernetes.KubernetesJobExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The Kubernetes options of {@code genbench load --executor kubernetes}, checked when the generators are built. */
final class LoadKubernetesOptions {
  @Option(names = "--namespace", defaultValue = "default", paramLabel = "NS", description = "kubernetes: namespace of the"
      + " generator Jobs and their plan Secret (default: ${DEFAULT-VALUE})")
  String namespace = "default";

  @Option(names = "--image", paramLabel = "IMAGE", description = "kubernetes: genbench's image, built from deploy/Dockerfile"
      + " (its entry point is genbench) (required)")
  String image;

  @Option(names = "--service-account", paramLabel = "SA", description = "kubernetes: the generator pods' service account")
  String serviceAccount;

  @Option(names = "--image-pull-secret", paramLabel = "SECRET", description = "kubernetes: an image pull secret; repeatable")
  List<String> pullSecrets = new ArrayList<>();

  @Option(names = "--job-template", paramLabel = "FILE", description = "kubernetes: a Job YAML to base every generator Job"
      + " on (e.g. its CPU requests, node selector); genbench sets name, namespace, labels, deadline, image, args and the"
      + " plan's volume on it")
  Path template;

  @Option(names = "--unschedulable-timeout", defaultValue = "15m", paramLabel = "DURATION", description = "kubernetes: a"
      + " generator whose pod has not started this long fails, and its level is INVALID (default: ${DEFAULT-VALUE})")
  String unschedulable = "15m";

  GeneratorJobs.Config config(String runId) {
    if (image == null || image.isBlank()) {
      throw new UserError("--executor kubernetes needs --image: genbench's image built from deploy/Dockerfile and pushed to a"
          + " registry the cluster can pull from.");
    }
    if (template != null) InputFile.requireRegular(template, "--job-template");
    String text = template == null ? null : KubernetesJobExecutor.readTemplate(template);
    return new GeneratorJobs.Config(namespace, image, serviceAccount, pullSecrets, text,
        Durations.parse(unschedulable, "--unschedulable-timeout"), runId);
  }
}
