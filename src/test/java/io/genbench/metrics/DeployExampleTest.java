package io.genbench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * deploy/'s examples (compose.yaml; kustomization.yaml with the Kubernetes manifests) parsed and cross-checked: serve's
 * port, Prometheus's scrape target, the data source URL, and that Grafana is given the generated dashboard at the path
 * its provisioning reads. Nothing is started: the machine has no Docker.
 */
final class DeployExampleTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Path DASHBOARD = Path.of(GrafanaDashboard.COMMITTED).normalize();
  private static final int SERVE_PORT = 8000;

  @Test
  void prometheusScrapesServesMetricsAtTheServiceBothExamplesName() throws IOException {
    JsonNode config = yaml(DEPLOY.resolve("prometheus/prometheus.yml"));
    JsonNode job = config.path("scrape_configs").get(0);

    assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
    assertThat(texts(job.path("static_configs").get(0).path("targets"))).containsExactly("genbench-serve:" + SERVE_PORT);
    assertThat(compose().path("services").has("genbench-serve")).isTrue();
    assertThat(kubernetes("Service", "genbench-serve").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(SERVE_PORT);
  }

  @Test
  void serveListensOnItsPortBeyondLoopbackInsideTheContainer() throws IOException {
    JsonNode service = compose().path("services").path("genbench-serve");
    JsonNode container = kubernetes("Deployment", "genbench-serve").path("spec").path("template").path("spec").path("containers").get(0);

    for (List<String> args : List.of(texts(service.path("command")), texts(container.path("args")))) {
      assertThat(args.getFirst()).isEqualTo("serve");
      assertThat(option(args, "--port")).isEqualTo(String.valueOf(SERVE_PORT));
      assertThat(option(args, "--host")).isEqualTo("0.0.0.0");
    }
    assertThat(texts(service.path("ports"))).containsExactly("127.0.0.1:" + SERVE_PORT + ":" + SERVE_PORT);
    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(SERVE_PORT);
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/ready");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
    assertThat(Files.readString(DEPLOY.resolve("Dockerfile"))).contains("EXPOSE " + SERVE_PORT);
  }

  @Test
  void composePublishesEachPortOnLoopbackOnly() throws IOException {
    JsonNode services = compose().path("services");

    assertThat(texts(services.path("prometheus").path("ports"))).containsExactly("127.0.0.1:9090:9090");
    assertThat(texts(services.path("grafana").path("ports"))).containsExactly("127.0.0.1:3000:3000");
    assertThat(kubernetes("Service", "prometheus").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(9090);
    assertThat(kubernetes("Service", "grafana").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(3000);
  }

  @Test
  void grafanaReadsPrometheusAtTheServiceBothExamplesName() throws IOException {
    JsonNode ds = yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml")).path("datasources").get(0);

    assertThat(ds.path("type").asText()).isEqualTo("prometheus");
    assertThat(ds.path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(ds.path("isDefault").asBoolean()).isTrue();
    assertThat(compose().path("services").has("prometheus")).isTrue();
  }

  @Test
  void composeMountsTheGeneratedDashboardWhereProvisioningLooks() throws IOException {
    String providerPath = providerPath();
    List<String> mounts = texts(compose().path("services").path("grafana").path("volumes"));

    String dashboard = mounts.stream().filter(m -> m.endsWith(".json:" + providerPath + "/genbench-dashboard.json:ro")).findFirst().orElseThrow();
    assertThat(DEPLOY.resolve(dashboard.substring(0, dashboard.indexOf(':'))).normalize()).isEqualTo(DASHBOARD);
    assertThat(mounts).contains("./grafana/provisioning/datasources:/etc/grafana/provisioning/datasources:ro",
        "./grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro");
    assertThat(texts(compose().path("services").path("prometheus").path("volumes")))
        .containsExactly("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
  }

  @Test
  void kubernetesMountsTheGeneratedDashboardWhereProvisioningLooks() throws IOException {
    JsonNode pod = kubernetes("Deployment", "grafana").path("spec").path("template").path("spec");

    String volume = volumeFor(pod, providerPath());
    String configMap = configMapOf(pod, volume);
    assertThat(generatedFiles(configMap)).containsExactly(DASHBOARD);
    assertThat(generatedFiles(configMapOf(pod, volumeFor(pod, "/etc/grafana/provisioning/datasources"))))
        .containsExactly(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"));
    assertThat(generatedFiles(configMapOf(pod, volumeFor(pod, "/etc/grafana/provisioning/dashboards"))))
        .containsExactly(DEPLOY.resolve("grafana/provisioning/dashboards/genbench.yaml"));

    JsonNode prometheus = kubernetes("Deployment", "prometheus").path("spec").path("template").path("spec");
    String configFile = texts(prometheus.path("containers").get(0).path("args")).stream().filter(a -> a.startsWith("--config.file="))
        .findFirst().orElseThrow().substring("--config.file=".length());
    Path dir = Path.of(configFile).getParent();
    assertThat(generatedFiles(configMapOf(prometheus, volumeFor(prometheus, dir.toString()))))
        .containsExactly(DEPLOY.resolve("prometheus").resolve(Path.of(configFile).getFileName()));
  }

  @Test
  void everyResourceAndFileTheKustomizationNamesExistsAndSelectorsMatchTheirPods() throws IOException {
    JsonNode k = kustomization();
    for (JsonNode r : k.path("resources")) assertThat(DEPLOY.resolve(r.asText())).isRegularFile();
    for (JsonNode g : k.path("configMapGenerator")) {
      for (JsonNode f : g.path("files")) assertThat(DEPLOY.resolve(f.asText())).isRegularFile();
    }
    List<JsonNode> docs = kubernetesDocs();
    assertThat(docs).extracting(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText())
        .containsExactlyInAnyOrder("Deployment/genbench-serve", "Service/genbench-serve", "Deployment/prometheus",
            "Service/prometheus", "Deployment/grafana", "Service/grafana");
    for (JsonNode d : docs) {
      if (!d.path("kind").asText().equals("Deployment")) continue;
      JsonNode labels = d.path("spec").path("template").path("metadata").path("labels");
      assertThat(d.path("spec").path("selector").path("matchLabels")).isEqualTo(labels);
      assertThat(kubernetes("Service", d.path("metadata").path("name").asText()).path("spec").path("selector")).isEqualTo(labels);
    }
  }

  /** The dashboard provider's folder: where Grafana loads dashboard files from. */
  private static String providerPath() throws IOException {
    return yaml(DEPLOY.resolve("grafana/provisioning/dashboards/genbench.yaml")).path("providers").get(0).path("options").path("path").asText();
  }

  private static String volumeFor(JsonNode pod, String mountPath) {
    for (JsonNode m : pod.path("containers").get(0).path("volumeMounts")) {
      if (m.path("mountPath").asText().equals(mountPath)) return m.path("name").asText();
    }
    throw new AssertionError("nothing is mounted at " + mountPath);
  }

  private static String configMapOf(JsonNode pod, String volume) {
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(volume)) return v.path("configMap").path("name").asText();
    }
    throw new AssertionError("no volume " + volume);
  }

  /** The files kustomization.yaml's configMapGenerator puts in {@code configMap}. */
  private static List<Path> generatedFiles(String configMap) throws IOException {
    for (JsonNode g : kustomization().path("configMapGenerator")) {
      if (g.path("name").asText().equals(configMap)) return texts(g.path("files")).stream().map(f -> DEPLOY.resolve(f).normalize()).toList();
    }
    throw new AssertionError("kustomization.yaml generates no ConfigMap " + configMap);
  }

  private static JsonNode compose() throws IOException {
    return yaml(DEPLOY.resolve("compose.yaml"));
  }

  private static JsonNode kustomization() throws IOException {
    return yaml(DEPLOY.resolve("kustomization.yaml"));
  }

  private static JsonNode kubernetes(String kind, String name) throws IOException {
    return kubernetesDocs().stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/kubernetes"));
  }

  private static List<JsonNode> kubernetesDocs() throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode r : kustomization().path("resources")) {
      try (var it = Json.YAML.readerFor(JsonNode.class).<JsonNode>readValues(DEPLOY.resolve(r.asText()).toFile())) {
        while (it.hasNext()) docs.add(it.next());
      }
    }
    return docs;
  }

  private static JsonNode yaml(Path file) throws IOException {
    return Json.YAML.readTree(file.toFile());
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as(name + " in " + args).isNotNegative();
    return args.get(i + 1);
  }
}
