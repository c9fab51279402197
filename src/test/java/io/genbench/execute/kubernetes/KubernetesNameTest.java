package io.genbench.execute.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import org.junit.jupiter.api.Test;

final class KubernetesNameTest {
  private static final String HEX = "0123456789abcdef".repeat(4);

  @Test
  void imageReferencesOfTheDistributionGrammarAreAccepted() {
    assertThat(java.util.List.of("ubuntu", "library/ubuntu:22.04", "registry:5000/a/b:tag@sha256:" + HEX, "a/b@sha256:" + HEX,
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/genbench-worker:v1.2_3", "[::1]:5000/x/y:z", "a__b/c-d---e.f:T_1"))
        .allSatisfy(i -> assertThat(KubernetesName.IMAGE_REFERENCE.accepts(i)).as(i).isTrue());
  }

  @Test
  void imageReferencesOutsideTheGrammarAreRefused() {
    assertThat(java.util.List.of("", "r/x:1\n  securityContext: {privileged: true}", "a/Upper", "a//b", "a/b:", "a/b:-tag",
        "a/b@sha256:abc", "a/b:" + "t".repeat(129), "a b", "a/b\n", "-a/b", "a/" + "b".repeat(300)))
        .allSatisfy(i -> assertThat(KubernetesName.IMAGE_REFERENCE.accepts(i)).as(i).isFalse());
  }

  @Test
  void namespacesAreLabelsAndAccountsAreSubdomains() {
    assertThat(KubernetesName.DNS1123_LABEL.accepts("kube-bench-1")).isTrue();
    assertThat(KubernetesName.DNS1123_LABEL.accepts("../../kube-system")).isFalse();
    assertThat(KubernetesName.DNS1123_LABEL.accepts("a.b")).isFalse();
    assertThat(KubernetesName.DNS1123_LABEL.accepts("a".repeat(64))).isFalse();
    assertThat(KubernetesName.DNS1123_SUBDOMAIN.accepts("genbench.runner-1")).isTrue();
    assertThat(KubernetesName.DNS1123_SUBDOMAIN.accepts("a..b")).isFalse();
    assertThat(KubernetesName.DNS1123_SUBDOMAIN.accepts("a-")).isFalse();
  }

  @Test
  void aRefusedValueNamesTheOptionTheRuleAndTheValueOnOneLine() {
    assertThatThrownBy(() -> KubernetesName.DNS1123_LABEL.require("--namespace", "bench\nannotations: {}"))
        .isInstanceOf(UserError.class).hasMessageContaining("--namespace \"bench\\nannotations: {}\"")
        .hasMessageContaining("DNS-1123 label").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
