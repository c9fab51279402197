package io.genbench.execute.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.genbench.execute.BoundedLines;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load generators of {@code genbench load --executor kubernetes} as Jobs (fabric8): per level one Job per generator,
 * each a typed object built from the bundled template (or {@code --job-template}) with its command line set as the
 * container's args, all mounting one Secret at {@value #MOUNT} with the plan's files. It reads each pod's log as it comes
 * and hands every line to the caller, tagged with the generator's number; it knows nothing of what the lines mean.
 */
public final class GeneratorJobs implements AutoCloseable {
  /** Where every generator finds the plan's files. */
  public static final String MOUNT = "/etc/genbench";
  static final String CONTAINER = "generator";
  static final String ROLE_LABEL = "genbench.io/role";
  static final String SHARE_ANNOTATION = "genbench.io/generator-share";
  private static final String TEMPLATE = "/io/genbench/execute/load-generator-template.yaml";
  private static final String VOLUME = "plan";

  /**
   * How to run the generators.
   *
   * @param namespace where Jobs and the Secret are created (a DNS-1123 label, checked)
   * @param image genbench's image (deploy/Dockerfile): its entry point is genbench
   * @param serviceAccount the pods' service account, or null for the namespace's
   * @param pullSecrets image pull secrets
   * @param template a Job YAML as the base of every Job, or null for the bundled one
   * @param unschedulable how long a generator's pod may wait to start before the generator fails
   * @param runId this run's id: a label on every object, and the seed of their names
   */
  public record Config(String namespace, String image, String serviceAccount, List<String> pullSecrets, String template,
      Duration unschedulable, String runId) {
    public Config {
      KubernetesName.DNS1123_LABEL.require("--namespace", namespace);
      KubernetesName.IMAGE_REFERENCE.require("--image", image);
      if (serviceAccount != null) KubernetesName.DNS1123_SUBDOMAIN.require("--service-account", serviceAccount);
      pullSecrets = List.copyOf(pullSecrets);
      for (String s : pullSecrets) KubernetesName.DNS1123_SUBDOMAIN.require("--image-pull-secret", s);
    }
  }

  /** One level to run: each generator's args (after the entry point) and a line for people saying what its share is. */
  public record Level(String tag, List<List<String>> args, List<String> shares, long deadlineS) {
    public Level {
      if (!tag.matches("[a-z0-9]{1,12}")) throw new IllegalArgumentException("tag must be 1-12 of [a-z0-9], was " + tag);
      args = List.copyOf(args);
      shares = List.copyOf(shares);
      if (args.size() != shares.size() || args.isEmpty()) throw new IllegalArgumentException("one args list and one share per generator");
    }
  }

  /** Where each generator's log lines go. */
  @FunctionalInterface
  public interface Lines {
    void line(int generator, String line);
  }

  private final KubernetesClient client;
  private final Config config;
  private final String prefix;
  private final String label;
  private final Thread cleanup = new Thread(this::deleteAll, "genbench-generator-cleanup");
  /** Whether anything was created: until then closing asks the API server nothing. */
  private volatile boolean touched;

  public GeneratorJobs(KubernetesClient client, Config config) {
    this.client = client;
    this.config = config;
    // a label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric
    String l = config.runId().replaceAll("[^A-Za-z0-9._-]", "-");
    if (l.length() > 63) l = l.substring(l.length() - 63);
    this.label = l.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    this.prefix = "genbench-load-" + String.format("%08x", config.runId().hashCode());
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** The Secret's name, which holds the files. */
  String secretName() {
    return prefix;
  }

  /** Job {@code g} of level {@code tag}: DNS-1123, at most 63 characters. */
  String jobName(String tag, int g) {
    return prefix + "-" + tag + "-g" + g;
  }

  /** Creates (or replaces) the Secret with {@code files}, which every later Job mounts at {@value #MOUNT}. */
  public void publish(Map<String, String> files) {
    touched = true;
    Secret secret = new SecretBuilder().withNewMetadata().withName(secretName()).withNamespace(config.namespace())
        .withLabels(labels(null)).endMetadata().withType("Opaque").withStringData(new LinkedHashMap<>(files)).build();
    client.secrets().inNamespace(config.namespace()).resource(secret).createOr(r -> r.update());
  }

  /** The Jobs of {@code level}, one per generator: what {@link #run} creates. */
  public List<Job> jobs(Level level) {
    List<Job> out = new ArrayList<>();
    for (int g = 0; g < level.args().size(); g++) out.add(job(level, g));
    return out;
  }

  Job job(Level level, int g) {
    String name = jobName(level.tag(), g);
    String text = config.template() != null ? config.template() : KubernetesJobExecutor.bundledTemplate(TEMPLATE);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("NAME", name);
    values.put("NAMESPACE", config.namespace());
    values.put("RUN", label);
    values.put("IMAGE", config.image());
    values.put("DEADLINE_S", level.deadlineS());
    Job job = KubernetesJobExecutor.parseTemplate(text, config.template() != null ? "The --job-template" : "The bundled load generator Job template", values);
    ObjectMeta meta = job.getMetadata() == null ? new ObjectMeta() : job.getMetadata();
    job.setMetadata(meta);
    meta.setName(name);
    meta.setNamespace(config.namespace());
    meta.setLabels(labels(meta.getLabels()));
    Map<String, String> annotations = meta.getAnnotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getAnnotations());
    annotations.put(SHARE_ANNOTATION, level.shares().get(g));
    meta.setAnnotations(annotations);
    if (job.getSpec() == null) job.setSpec(new JobSpec());
    JobSpec spec = job.getSpec();
    spec.setActiveDeadlineSeconds(level.deadlineS());
    spec.setBackoffLimit(0); // a generator that restarts would send its share twice
    spec.setCompletions(1);
    spec.setParallelism(1);
    if (spec.getTemplate() == null) spec.setTemplate(new PodTemplateSpec());
    PodTemplateSpec podTemplate = spec.getTemplate();
    if (podTemplate.getMetadata() == null) podTemplate.setMetadata(new ObjectMeta());
    podTemplate.getMetadata().setLabels(labels(podTemplate.getMetadata().getLabels()));
    if (podTemplate.getSpec() == null) podTemplate.setSpec(new PodSpec());
    PodSpec pod = podTemplate.getSpec();
    pod.setRestartPolicy("Never");
    List<Container> containers = pod.getContainers() == null ? new ArrayList<>() : new ArrayList<>(pod.getContainers());
    Container c = containers.stream().filter(x -> CONTAINER.equals(x.getName())).findFirst().orElse(null);
    if (c == null) {
      if (containers.isEmpty()) {
        c = new Container();
        containers.add(c);
      } else {
        c = containers.getFirst();
      }
      c.setName(CONTAINER);
    }
    pod.setContainers(containers);
    c.setImage(config.image());
    c.setArgs(level.args().get(g));
    List<VolumeMount> mounts = c.getVolumeMounts() == null ? new ArrayList<>() : new ArrayList<>(c.getVolumeMounts());
    mounts.removeIf(m -> VOLUME.equals(m.getName()));
    VolumeMount mount = new VolumeMount();
    mount.setName(VOLUME);
    mount.setMountPath(MOUNT);
    mount.setReadOnly(true);
    mounts.add(mount);
    c.setVolumeMounts(mounts);
    List<Volume> volumes = pod.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(pod.getVolumes());
    volumes.removeIf(v -> VOLUME.equals(v.getName()));
    Volume volume = new Volume();
    volume.setName(VOLUME);
    SecretVolumeSource source = new SecretVolumeSource();
    source.setSecretName(secretName());
    volume.setSecret(source);
    volumes.add(volume);
    pod.setVolumes(volumes);
    if (config.serviceAccount() != null) pod.setServiceAccountName(config.serviceAccount());
    if (!config.pullSecrets().isEmpty()) {
      List<LocalObjectReference> secrets = pod.getImagePullSecrets() == null ? new ArrayList<>() : new ArrayList<>(pod.getImagePullSecrets());
      for (String s : config.pullSecrets()) secrets.add(new LocalObjectReference(s));
      pod.setImagePullSecrets(secrets);
    }
    return job;
  }

  private Map<String, String> labels(Map<String, String> given) {
    Map<String, String> out = given == null ? new LinkedHashMap<>() : new LinkedHashMap<>(given);
    out.putIfAbsent("app.kubernetes.io/name", "genbench");
    out.put(KubernetesJobExecutor.RUN_LABEL, label);
    out.put(ROLE_LABEL, "load-generator");
    return out;
  }

  /**
   * Creates the level's Jobs, streams every pod's log to {@code lines} and waits for each to end. Returns per generator
   * null when its pod succeeded, else why not (never scheduled, its exit code, its deadline, Kubernetes' refusal). The
   * level's Jobs are deleted afterwards.
   */
  public List<String> run(Level level, Lines lines) {
    touched = true;
    int n = level.args().size();
    ExecutorService pool = Executors.newFixedThreadPool(n, Thread.ofPlatform().daemon().name("genbench-generator-", 0).factory());
    List<String> failures = new ArrayList<>();
    try {
      List<Future<String>> running = new ArrayList<>();
      for (int g = 0; g < n; g++) {
        int gg = g;
        running.add(pool.submit(() -> runOne(level, gg, lines)));
      }
      for (Future<String> f : running) {
        try {
          failures.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          failures.add("its supervisor failed: " + e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while load generators ran", e);
        }
      }
    } finally {
      pool.shutdownNow();
      for (int g = 0; g < n; g++) {
        try {
          client.batch().v1().jobs().inNamespace(config.namespace()).withName(jobName(level.tag(), g))
              .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
          // the Job's ttl removes it later
        }
      }
    }
    return failures;
  }

  private String runOne(Level level, int g, Lines lines) {
    String name = jobName(level.tag(), g);
    var jobs = client.batch().v1().jobs().inNamespace(config.namespace());
    try {
      if (jobs.withName(name).get() != null) {
        jobs.withName(name).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        jobs.withName(name).waitUntilCondition(j -> j == null, 2, TimeUnit.MINUTES);
      }
      jobs.resource(job(level, g)).create();
      var pods = client.pods().inNamespace(config.namespace()).withLabel(KubernetesJobExecutor.JOB_NAME_LABEL, name);
      CompletableFuture<List<Pod>> started = pods.informOnCondition(l -> l.stream().anyMatch(GeneratorJobs::startedOrEnded));
      CompletableFuture<List<Job>> ended = jobs.withName(name).informOnCondition(l -> l.stream().anyMatch(KubernetesJobExecutor::finished));
      try {
        CompletableFuture.anyOf(started, ended).get(config.unschedulable().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return "Job " + name + ": its pod did not start within " + config.unschedulable().toSeconds() + " s";
      } finally {
        started.cancel(true);
        ended.cancel(true);
      }
      Pod pod = pods.list().getItems().stream().filter(GeneratorJobs::startedOrEnded).findFirst().orElse(null);
      if (pod == null) {
        Job j = jobs.withName(name).get();
        return "Job " + name + ": " + KubernetesJobExecutor.endMessage(j, null);
      }
      streamLog(pod, g, lines);
      Job done = jobs.withName(name).waitUntilCondition(j -> j == null || KubernetesJobExecutor.finished(j), 10, TimeUnit.MINUTES);
      Pod last = client.pods().inNamespace(config.namespace()).withName(pod.getMetadata().getName()).get();
      Pod p = last != null ? last : pod;
      boolean ok = done != null && done.getStatus() != null && done.getStatus().getSucceeded() != null
          && done.getStatus().getSucceeded() > 0 && (p.getStatus() == null || !"Failed".equals(p.getStatus().getPhase()));
      return ok ? null : "Job " + name + ": " + KubernetesJobExecutor.endMessage(done, p).replace("worker container", "generator container");
    } catch (KubernetesClientException e) {
      return "Job " + name + ": Kubernetes: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "Job " + name + ": interrupted";
    } catch (java.util.concurrent.ExecutionException e) {
      return "Job " + name + ": watching it failed: " + e.getCause();
    } catch (RuntimeException e) {
      if (e.getCause() instanceof TimeoutException) return "Job " + name + ": did not finish: " + e.getMessage();
      throw e;
    }
  }

  private void streamLog(Pod pod, int g, Lines lines) {
    var resource = client.pods().inNamespace(config.namespace()).withName(pod.getMetadata().getName()).inContainer(CONTAINER);
    try (var watch = resource.watchLog()) {
      BoundedLines r = new BoundedLines(watch.getOutput(), BoundedLines.EVENT_LINE_BYTES);
      BoundedLines.Line read;
      while ((read = r.next()) != null) {
        if (read.text().isBlank() && !read.cut()) continue;
        lines.line(g, read.text()); // a cut protocol line is no valid line: the reader says so
      }
    } catch (IOException e) {
      lines.line(g, "genbench: the pod log ended: " + e.getMessage());
    }
  }

  private static boolean startedOrEnded(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** Deletes the run's generator Jobs and its Secret (the end of the run, Ctrl-C). */
  void deleteAll() {
    if (!touched) return;
    try {
      client.batch().v1().jobs().inNamespace(config.namespace()).withLabel(KubernetesJobExecutor.RUN_LABEL, label)
          .withLabel(ROLE_LABEL, "load-generator").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      client.secrets().inNamespace(config.namespace()).withName(secretName()).delete();
    } catch (RuntimeException e) {
      // shutting down: nothing more to do
    }
  }

  @Override
  public void close() {
    deleteAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
  }
}
