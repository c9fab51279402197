package io.genbench.execute.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.genbench.env.Placement;
import java.util.Map;
import java.util.Optional;

/**
 * Where genbench itself runs when it runs in a Kubernetes pod: the labels of the node the pod was scheduled on. The
 * pod says which node through the downward API ({@code env: NODE_NAME from fieldRef spec.nodeName}); reading the node
 * needs {@code get} on {@code nodes} (the README's RBAC).
 */
public final class PodPlacement {
  /** The environment variable the pod spec fills from {@code spec.nodeName}. */
  public static final String NODE_NAME = "NODE_NAME";

  private PodPlacement() {}

  /** True inside a pod that says its node: the API server's address and {@value #NODE_NAME} are both set. */
  public static boolean inPod(Map<String, String> env) {
    return env.get("KUBERNETES_SERVICE_HOST") != null && env.get(NODE_NAME) != null && !env.get(NODE_NAME).isBlank();
  }

  /** The node's placement, or empty when the node cannot be read (no such node, no permission, no API server). */
  public static Optional<Placement> detect(KubernetesClient client, String nodeName) {
    try {
      Node node = client.nodes().withName(nodeName).get();
      if (node == null || node.getMetadata() == null) return Optional.empty();
      Placement p = Placement.fromNodeLabels(node.getMetadata().getLabels());
      return p.instanceType() == null ? Optional.empty() : Optional.of(p);
    } catch (KubernetesClientException e) {
      return Optional.empty();
    }
  }
}
