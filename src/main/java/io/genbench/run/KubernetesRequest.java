package io.genbench.run;

import io.genbench.Durations;
import io.genbench.InputFile;
import io.genbench.UserError;
import io.genbench.execute.Pricer;
import io.genbench.execute.kubernetes.KubernetesJobExecutor;
import io.genbench.execute.kubernetes.KubernetesName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The options of {@code genbench run --executor kubernetes}, as given; {@link #config} checks them when a run on a
 * cluster starts.
 *
 * @param namespace the Jobs' namespace
 * @param image the worker image (required on a cluster)
 * @param serviceAccount the pods' service account, or null for the namespace's
 * @param pullSecrets image pull secrets
 * @param template a Job YAML to base every Job on, or null for the bundled one
 * @param parallel Jobs on different instance types at once, 1 to 64
 * @param unschedulable how long a pod may wait to be scheduled, e.g. {@code 15m}
 */
public record KubernetesRequest(String namespace, String image, String serviceAccount, List<String> pullSecrets, Path template,
    int parallel, String unschedulable) {

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
    Duration wait = Durations.parse(unschedulable, "--unschedulable-timeout");
    // a device or a FIFO is refused before a byte is read (it would fill memory or block forever)
    if (template != null) InputFile.requireRegular(template, "--job-template");
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
