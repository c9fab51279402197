package io.genbench.execute.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.genbench.env.Placement;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
final class PodPlacementTest {
  KubernetesClient client;

  @Test
  void inAPodTheNodesLabelsSayTheInstanceTheLifecycleAndTheZone() {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("ip-10-0-1-7").addToLabels(Map.of(
        "node.kubernetes.io/instance-type", "g6e.xlarge", "karpenter.sh/capacity-type", "spot",
        "topology.kubernetes.io/zone", "us-west-2b")).endMetadata().build()).create();

    var p = PodPlacement.detect(client, "ip-10-0-1-7");

    assertThat(p).contains(new Placement("g6e.xlarge", "spot", "us-west-2b", "node-labels"));
  }

  @Test
  void aNodeThatCannotBeReadOrCarriesNoInstanceTypeIsNoPlacement() {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build()).create();

    assertThat(PodPlacement.detect(client, "missing")).isEmpty();
    assertThat(PodPlacement.detect(client, "bare")).isEmpty();
  }

  @Test
  void aPodIsRecognisedByTheApiServerAddressAndTheDownwardApiNodeName() {
    assertThat(PodPlacement.inPod(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "NODE_NAME", "n1"))).isTrue();
    assertThat(PodPlacement.inPod(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"))).isFalse();
    assertThat(PodPlacement.inPod(Map.of("NODE_NAME", "n1"))).isFalse();
  }
}
