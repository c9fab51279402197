package io.genbench.env;

import java.util.Locale;
import java.util.Map;

/**
 * Where a case really ran, as detected: the EC2 instance-metadata service, or the labels of the Kubernetes node its
 * pod was scheduled on. Any part may be null when unknown.
 *
 * @param instanceType e.g. {@code g5.xlarge}
 * @param lifecycle {@code spot} or {@code ondemand}
 * @param zone e.g. {@code us-west-2a}
 * @param source how it was found: {@code imds}, {@code node-labels}
 */
public record Placement(String instanceType, String lifecycle, String zone, String source) {

  public static final String INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  public static final String KARPENTER_CAPACITY_TYPE = "karpenter.sh/capacity-type";
  public static final String EKS_CAPACITY_TYPE = "eks.amazonaws.com/capacityType";

  /**
   * From a node's labels: {@value #INSTANCE_TYPE_LABEL} (or the older {@code beta.kubernetes.io/instance-type}),
   * {@value #ZONE_LABEL}, and the lifecycle from Karpenter's {@value #KARPENTER_CAPACITY_TYPE} or EKS managed node
   * groups' {@value #EKS_CAPACITY_TYPE}.
   */
  public static Placement fromNodeLabels(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    String type = l.getOrDefault(INSTANCE_TYPE_LABEL, l.get("beta.kubernetes.io/instance-type"));
    String zone = l.getOrDefault(ZONE_LABEL, l.get("failure-domain.beta.kubernetes.io/zone"));
    String capacity = l.getOrDefault(KARPENTER_CAPACITY_TYPE, l.get(EKS_CAPACITY_TYPE));
    return new Placement(type, lifecycle(capacity), zone, "node-labels");
  }

  /** {@code spot} or {@code ondemand} from the spellings AWS and Kubernetes use; null when unknown. */
  public static String lifecycle(String text) {
    if (text == null || text.isBlank()) return null;
    String t = text.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    return switch (t) {
      case "spot" -> "spot";
      case "ondemand", "normal", "scheduled", "reserved" -> "ondemand";
      default -> null;
    };
  }
}
