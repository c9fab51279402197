package io.genbench.execute.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.genbench.UserError;
import io.genbench.env.Placement;
import io.genbench.execute.BoundedLines;
import io.genbench.execute.CaseSink;
import io.genbench.execute.Executor;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.execute.Pricer;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent;
import io.genbench.wire.WorkerJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs cases as Kubernetes Jobs (fabric8): one Job per model group and instance type, its pod pinned to the type by
 * the {@code node.kubernetes.io/instance-type} node selector, the worker's job handed over as a ConfigMap mounted at
 * {@code /etc/genbench/job.json}. Jobs of different instance types run in parallel (up to {@code parallel}). Each Job
 * is watched, not polled; the worker's events are read from the pod log as they come. The first Job that streams
 * owns the sink and forwards its events at once; the others keep theirs until it finishes (the runner takes one case
 * at a time). The node the pod ran on prices its cases (instance type, lifecycle from Karpenter's or EKS's capacity
 * label, zone). How a pod ended decides the failure of a case left open: OOMKilled / exit 137 {@code oom_signal}, 139
 * {@code oom_sigsegv}, the Job's deadline {@code timeout}, unschedulable past the limit {@code infrastructure} with
 * the scheduler's reason. A Job of the same name from an earlier run is deleted first; one of this run still active
 * ({@code --resume}) is adopted. {@link #close()} (also on Ctrl-C) deletes the run's Jobs.
 */
public final class KubernetesJobExecutor implements Executor {
  public static final String RUN_LABEL = "genbench.io/run";
  static final String JOB_NAME_LABEL = "job-name";
  private static final String TEMPLATE = "/io/genbench/execute/job-template.yaml";
  private static final String JOB_VOLUME = "job";
  private static final String JOB_MOUNT = "/etc/genbench";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * How to run Jobs.
   *
   * @param namespace where Jobs are created
   * @param image the worker image (built from worker/Dockerfile)
   * @param serviceAccount the pods' service account, or null for the namespace's default
   * @param pullSecrets image pull secrets, may be empty
   * @param template a Job YAML, the base object of every Job (fields genbench owns are set on it), or null for the
   *     bundled one; {@code ${NAME}}-style placeholders in its values are still filled in
   * @param parallel Jobs running at once, ≥ 1 (each on its own instance type)
   * @param unschedulable how long a pod may stay unscheduled before its cases fail as infrastructure
   * @param runId this run's id, a label on every Job (resume adopts Jobs with it; cleanup deletes them)
   * @param tiny, weights, saveImages, backend as for the local worker
   */
  public record Config(String namespace, String image, String serviceAccount, List<String> pullSecrets, String template,
      int parallel, Duration unschedulable, String runId, boolean tiny, String weights, String saveImages, String backend) {
    public Config {
      pullSecrets = List.copyOf(pullSecrets);
      if (parallel < 1) throw new IllegalArgumentException("parallel must be >= 1, was " + parallel);
    }
  }

  private final KubernetesClient client;
  private final Config config;
  private final Pricer pricer;
  private final Set<String> created = java.util.Collections.synchronizedSet(new HashSet<>());
  private final Thread cleanup = new Thread(this::deleteRunJobs, "genbench-job-cleanup");
  private final Object sinkLock = new Object();
  private Object owner;

  public KubernetesJobExecutor(KubernetesClient client, Config config, Pricer pricer) {
    this.client = client;
    this.config = config;
    this.pricer = pricer;
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  @Override
  public String backend() {
    return config.backend();
  }

  @Override
  public WorkerCase spec(TestCase c, Settings settings) {
    return Executor.workerCase(c, settings, config.tiny(), config.weights(), config.saveImages(), config.backend());
  }

  /** Reads a user's template file. */
  public static String readTemplate(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UserError("Cannot read --job-template " + file + ": " + e.getMessage());
    }
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    Map<String, List<TestCase>> byType = new LinkedHashMap<>();
    for (TestCase c : cases) byType.computeIfAbsent(c.instanceType(), k -> new ArrayList<>()).add(c);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.parallel(), byType.size()),
        Thread.ofPlatform().daemon().name("genbench-job-", 0).factory());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (List<TestCase> group : byType.values()) running.add(pool.submit(() -> runJob(group, settings, sink)));
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a Job's supervisor failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while Jobs ran", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The Jobs (and ConfigMaps) one execute call would create: what {@code --dry-run} prints. */
  public List<Object> manifests(List<TestCase> cases, Settings settings) {
    Map<String, List<TestCase>> byType = new LinkedHashMap<>();
    for (TestCase c : cases) byType.computeIfAbsent(c.instanceType(), k -> new ArrayList<>()).add(c);
    List<Object> out = new ArrayList<>();
    for (List<TestCase> group : byType.values()) {
      out.add(configMap(group, settings));
      out.add(job(group, settings));
    }
    return out;
  }

  /** The Job's name: stable across runs, so an earlier run's Job of the same group is found. DNS-1123, ≤ 63. */
  static String jobName(List<TestCase> group) {
    TestCase first = group.getFirst();
    String name = ("genbench-" + first.model().slug() + "-" + first.instanceSlug()).toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9-]", "-");
    if (name.length() > 63) name = name.substring(0, 54) + "-" + Integer.toHexString(name.hashCode() & 0xfffffff);
    return name.replaceAll("-+$", "");
  }

  ConfigMap configMap(List<TestCase> group, Settings settings) {
    String json = WorkerJob.of(group.stream().map(c -> spec(c, settings)).toList()).toJson();
    return new ConfigMapBuilder().withNewMetadata().withName(jobName(group)).withNamespace(config.namespace())
        .addToLabels(RUN_LABEL, config.runId()).endMetadata().addToData("job.json", json).build();
  }

  /**
   * The group's Job: the template (the bundled one, or the user's) read into a typed object, then every field genbench
   * owns set on that object. No value is ever pasted into YAML text, so no option can add a key to the manifest.
   */
  Job job(List<TestCase> group, Settings settings) {
    TestCase first = group.getFirst();
    String name = jobName(group);
    int gpus = group.stream().mapToInt(c -> c.resources().gpus()).max().orElse(1);
    // the deadline covers every case's timeout plus ten minutes for pulling the image and scheduling
    long deadline = (long) Math.ceil(settings.timeoutS() * group.size()) + 600;
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("NAME", name);
    values.put("NAMESPACE", config.namespace());
    values.put("RUN", config.runId());
    values.put("INSTANCE_TYPE", first.instanceType());
    values.put("IMAGE", config.image());
    values.put("GPUS", gpus);
    values.put("DEADLINE_S", deadline);
    Job job = template(values);

    ObjectMeta meta = job.getMetadata() == null ? new ObjectMeta() : job.getMetadata();
    job.setMetadata(meta);
    meta.setName(name);
    meta.setNamespace(config.namespace());
    meta.setLabels(withRunLabels(meta.getLabels()));
    if (job.getSpec() == null) job.setSpec(new JobSpec());
    var spec = job.getSpec();
    spec.setActiveDeadlineSeconds(deadline);
    if (spec.getBackoffLimit() == null) spec.setBackoffLimit(0);
    if (spec.getTemplate() == null) spec.setTemplate(new PodTemplateSpec());
    var podTemplate = spec.getTemplate();
    if (podTemplate.getMetadata() == null) podTemplate.setMetadata(new ObjectMeta());
    podTemplate.getMetadata().setLabels(withRunLabels(podTemplate.getMetadata().getLabels()));
    if (podTemplate.getSpec() == null) podTemplate.setSpec(new PodSpec());
    PodSpec pod = podTemplate.getSpec();
    if (pod.getRestartPolicy() == null) pod.setRestartPolicy("Never");
    Map<String, String> selector = pod.getNodeSelector() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(pod.getNodeSelector());
    selector.put("node.kubernetes.io/instance-type", first.instanceType());
    pod.setNodeSelector(selector);

    List<Container> containers = pod.getContainers() == null ? new ArrayList<>() : new ArrayList<>(pod.getContainers());
    Container worker = containers.stream().filter(c -> "worker".equals(c.getName())).findFirst().orElse(null);
    if (worker == null && containers.isEmpty()) {
      worker = new Container();
      worker.setName("worker");
      containers.add(worker);
    } else if (worker == null) {
      worker = containers.getFirst();
    }
    pod.setContainers(containers);
    worker.setImage(config.image());
    if (worker.getCommand() == null || worker.getCommand().isEmpty()) {
      worker.setCommand(List.of("python3", "-m", "genbench_worker", "--job", JOB_MOUNT + "/job.json"));
    }
    List<EnvVar> env = worker.getEnv() == null ? new ArrayList<>() : new ArrayList<>(worker.getEnv());
    if (env.stream().noneMatch(e -> "PYTHONUNBUFFERED".equals(e.getName()))) env.add(new EnvVar("PYTHONUNBUFFERED", "1", null));
    worker.setEnv(env);
    if (worker.getResources() == null) worker.setResources(new ResourceRequirements());
    var res = worker.getResources();
    Map<String, Quantity> limits = res.getLimits() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(res.getLimits());
    limits.put("nvidia.com/gpu", new Quantity(String.valueOf(gpus)));
    if (first.resources().memoryLimit() != null) limits.put("memory", new Quantity(first.resources().memoryLimit()));
    res.setLimits(limits);
    if (first.resources().memoryRequest() != null) {
      Map<String, Quantity> requests = res.getRequests() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(res.getRequests());
      requests.put("memory", new Quantity(first.resources().memoryRequest()));
      res.setRequests(requests);
    }
    List<VolumeMount> mounts = worker.getVolumeMounts() == null ? new ArrayList<>() : new ArrayList<>(worker.getVolumeMounts());
    mounts.removeIf(m -> JOB_VOLUME.equals(m.getName()));
    VolumeMount mount = new VolumeMount();
    mount.setName(JOB_VOLUME);
    mount.setMountPath(JOB_MOUNT);
    mount.setReadOnly(true);
    mounts.add(mount);
    worker.setVolumeMounts(mounts);
    List<Volume> volumes = pod.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(pod.getVolumes());
    volumes.removeIf(v -> JOB_VOLUME.equals(v.getName()));
    Volume volume = new Volume();
    volume.setName(JOB_VOLUME);
    ConfigMapVolumeSource source = new ConfigMapVolumeSource();
    source.setName(name);
    volume.setConfigMap(source);
    volumes.add(volume);
    pod.setVolumes(volumes);

    if (config.serviceAccount() != null) pod.setServiceAccountName(config.serviceAccount());
    if (!config.pullSecrets().isEmpty()) {
      List<LocalObjectReference> secrets = pod.getImagePullSecrets() == null ? new ArrayList<>() : new ArrayList<>(pod.getImagePullSecrets());
      for (String secret : config.pullSecrets()) secrets.add(new LocalObjectReference(secret));
      pod.setImagePullSecrets(secrets);
    }
    return job;
  }

  private Map<String, String> withRunLabels(Map<String, String> labels) {
    Map<String, String> out = labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(labels);
    out.putIfAbsent("app.kubernetes.io/name", "genbench");
    out.put(RUN_LABEL, config.runId());
    return out;
  }

  /**
   * The template as a Job object. A user's template written for earlier versions may hold {@code ${NAME}}-style
   * placeholders: they are replaced inside the parsed scalars (a value stays one value), never in the text.
   */
  private Job template(Map<String, Object> values) {
    String text = config.template() != null ? config.template() : bundledTemplate(TEMPLATE);
    return parseTemplate(text, config.template() != null ? "The --job-template" : "The bundled Job template", values);
  }

  /** A Job template's text as a typed Job, {@code ${NAME}} placeholders filled inside its scalars; {@code source} names it in errors. */
  static Job parseTemplate(String text, String source, Map<String, Object> values) {
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (IOException e) {
      throw new UserError(source + " is not YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (tree == null || !tree.isObject()) throw new UserError(source + " is not a Kubernetes Job: it holds no YAML mapping.");
    if (tree.hasNonNull("kind") && !"Job".equals(tree.get("kind").asText())) {
      throw new UserError(source + " is not a Kubernetes Job: its kind is " + tree.get("kind").asText() + ".");
    }
    JsonNode filled = fill(tree, values);
    try {
      return Serialization.unmarshal(YAML.writeValueAsString(filled), Job.class);
    } catch (IOException | RuntimeException e) {
      throw new UserError(source + " is not a Kubernetes Job: " + e.getMessage());
    }
  }

  private static JsonNode fill(JsonNode node, Map<String, Object> values) {
    if (node.isObject()) {
      var out = YAML.createObjectNode();
      node.properties().forEach(e -> out.set(e.getKey(), fill(e.getValue(), values)));
      return out;
    }
    if (node.isArray()) {
      var out = YAML.createArrayNode();
      node.forEach(n -> out.add(fill(n, values)));
      return out;
    }
    if (!node.isTextual() || !node.asText().contains("${")) return node;
    String text = node.asText();
    for (var e : values.entrySet()) {
      if (text.equals("${" + e.getKey() + "}") && e.getValue() instanceof Number n) return YAML.valueToTree(n);
      text = text.replace("${" + e.getKey() + "}", String.valueOf(e.getValue()));
    }
    return TextNode.valueOf(text);
  }

  static String bundledTemplate(String resource) {
    try (InputStream in = KubernetesJobExecutor.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void runJob(List<TestCase> group, Settings settings, CaseSink sink) {
    String name = jobName(group);
    JobStream stream = new JobStream(group, sink);
    try {
      var jobs = client.batch().v1().jobs().inNamespace(config.namespace());
      Job existing = jobs.withName(name).get();
      boolean adopt = existing != null && config.runId().equals(label(existing, RUN_LABEL)) && !finished(existing);
      if (!adopt) {
        if (existing != null) {
          stream.log(null, "genbench: deleting Job " + name + " left by an earlier run");
          jobs.withName(name).withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete();
          jobs.withName(name).waitUntilCondition(j -> j == null, 2, TimeUnit.MINUTES);
        }
        client.configMaps().inNamespace(config.namespace()).resource(configMap(group, settings)).createOr(c -> c.update());
        jobs.resource(job(group, settings)).create();
      } else {
        stream.log(null, "genbench: adopting Job " + name + ", still running from this run");
      }
      created.add(name);
      Pod pod = awaitPod(name, group, stream);
      if (pod != null) {
        Placement where = placement(pod);
        stream.placement = where;
        streamLog(pod, stream);
        Job done = jobs.withName(name).waitUntilCondition(j -> j == null || finished(j), 10, TimeUnit.MINUTES);
        Pod ended = client.pods().inNamespace(config.namespace()).withName(pod.getMetadata().getName()).get();
        stream.failOpen(endKind(done, ended != null ? ended : pod), endMessage(done, ended != null ? ended : pod));
      }
    } catch (KubernetesClientException e) {
      stream.failOpen(FailureKind.INFRASTRUCTURE, "Kubernetes: " + e.getMessage());
    } catch (RuntimeException e) {
      if (e.getCause() instanceof TimeoutException) stream.failOpen(FailureKind.INFRASTRUCTURE, "the Job did not finish: " + e.getMessage());
      else throw e;
    } finally {
      stream.finish();
      try {
        client.configMaps().inNamespace(config.namespace()).withName(name).delete();
      } catch (KubernetesClientException e) {
        // the Job's ttl leaves nothing behind but this map; a failed delete is only clutter
      }
    }
  }

  /**
   * Waits (a watch) for the Job's pod to run or end. Returns null when it never does: unschedulable past the limit
   * (its cases fail as infrastructure with the scheduler's reason, and the Job is deleted) or the Job ended without
   * one (its deadline).
   */
  private Pod awaitPod(String name, List<TestCase> group, JobStream stream) {
    var pods = client.pods().inNamespace(config.namespace()).withLabel(JOB_NAME_LABEL, name);
    var jobs = client.batch().v1().jobs().inNamespace(config.namespace()).withName(name);
    java.util.concurrent.CompletableFuture<List<Pod>> started = pods.informOnCondition(list -> list.stream().anyMatch(KubernetesJobExecutor::startedOrEnded));
    java.util.concurrent.CompletableFuture<List<Job>> jobEnded = jobs.informOnCondition(list -> list.stream().anyMatch(KubernetesJobExecutor::finished));
    try {
      java.util.concurrent.CompletableFuture.anyOf(started, jobEnded).get(config.unschedulable().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      String reason = pods.list().getItems().stream().flatMap(p -> conditions(p).stream())
          .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
          .map(c -> c.getReason() + ": " + c.getMessage()).findFirst().orElse("no pod was scheduled");
      stream.failOpen(FailureKind.INFRASTRUCTURE, "not scheduled within " + config.unschedulable().toSeconds() + " s on "
          + group.getFirst().instanceType() + " (" + reason + ")");
      jobs.withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
      created.remove(name);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new KubernetesClientException("watching Job " + name + " failed", e.getCause());
    } finally {
      started.cancel(true);
      jobEnded.cancel(true);
    }
    Optional<Pod> pod = pods.list().getItems().stream().filter(KubernetesJobExecutor::startedOrEnded).findFirst();
    if (pod.isEmpty()) {
      Job j = jobs.get();
      stream.failOpen(endKind(j, null), endMessage(j, null));
      return null;
    }
    return pod.get();
  }

  private static List<PodCondition> conditions(Pod p) {
    return p.getStatus() == null || p.getStatus().getConditions() == null ? List.of() : p.getStatus().getConditions();
  }

  private static boolean startedOrEnded(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  static boolean finished(Job j) {
    if (j.getStatus() == null) return false;
    if (j.getStatus().getConditions() != null && j.getStatus().getConditions().stream()
        .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))) {
      return true;
    }
    return (j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0)
        || (j.getStatus().getFailed() != null && j.getStatus().getFailed() > 0);
  }

  private Placement placement(Pod pod) {
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (nodeName == null) return null;
    Node node = client.nodes().withName(nodeName).get();
    return node == null ? null : Placement.fromNodeLabels(node.getMetadata().getLabels());
  }

  private void streamLog(Pod pod, JobStream stream) {
    var resource = client.pods().inNamespace(config.namespace()).withName(pod.getMetadata().getName()).inContainer("worker");
    try (var watch = resource.watchLog()) {
      BoundedLines r = new BoundedLines(watch.getOutput(), BoundedLines.EVENT_LINE_BYTES);
      BoundedLines.Line read;
      while ((read = r.next()) != null) {
        String line = read.text();
        if (line.isBlank() && !read.cut()) continue;
        if (read.cut()) {
          stream.log(stream.current, LocalProcessExecutor.notAnEvent(read));
          continue;
        }
        if (!line.startsWith("{")) {
          // the pod log mixes stdout and stderr: free text is the worker's log
          stream.log(stream.current, read.marked(BoundedLines.LOG_LINE_BYTES));
          continue;
        }
        try {
          stream.event(WorkerEvent.parse(line), line);
        } catch (IllegalArgumentException e) {
          stream.log(stream.current, read.marked(BoundedLines.LOG_LINE_BYTES));
        }
      }
    } catch (IOException e) {
      stream.log(stream.current, "genbench: the pod log ended: " + e.getMessage());
    }
  }

  /** How the Job's worker ended, as a failure kind for a case it left open. */
  static FailureKind endKind(Job job, Pod pod) {
    ContainerStateTerminated t = terminated(pod);
    if (t != null && ("OOMKilled".equals(t.getReason()) || Integer.valueOf(137).equals(t.getExitCode()))) return FailureKind.OOM_SIGNAL;
    if (t != null && Integer.valueOf(139).equals(t.getExitCode())) return FailureKind.OOM_SIGSEGV;
    if (jobCondition(job).map(c -> "DeadlineExceeded".equals(c.getReason())).orElse(false)) return FailureKind.TIMEOUT;
    return FailureKind.WORKER_ERROR;
  }

  static String endMessage(Job job, Pod pod) {
    ContainerStateTerminated t = terminated(pod);
    Optional<JobCondition> failed = jobCondition(job);
    if (failed.map(c -> "DeadlineExceeded".equals(c.getReason())).orElse(false)) {
      return "the Job hit its deadline (activeDeadlineSeconds " + job.getSpec().getActiveDeadlineSeconds() + ")";
    }
    if (t != null) {
      return "the worker container ended: " + (t.getReason() == null ? "" : t.getReason() + ", ") + "exit code " + t.getExitCode()
          + (t.getExitCode() != null && t.getExitCode() == 137 ? " (SIGKILL: usually the container's memory limit)" : "");
    }
    return failed.map(c -> "the Job failed: " + c.getReason() + ": " + c.getMessage()).orElse("the Job ended without finishing this case");
  }

  private static Optional<JobCondition> jobCondition(Job job) {
    if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) return Optional.empty();
    return job.getStatus().getConditions().stream().filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  private static ContainerStateTerminated terminated(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return null;
    for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
      if (s.getState() != null && s.getState().getTerminated() != null) return s.getState().getTerminated();
      if (s.getLastState() != null && s.getLastState().getTerminated() != null) return s.getLastState().getTerminated();
    }
    return null;
  }

  private static String label(Job j, String key) {
    return j.getMetadata().getLabels() == null ? null : j.getMetadata().getLabels().get(key);
  }

  /** Deletes every Job this run created (Ctrl-C, the end of the run): a GPU node must not keep working for nobody. */
  void deleteRunJobs() {
    try {
      client.batch().v1().jobs().inNamespace(config.namespace()).withLabel(RUN_LABEL, config.runId())
          .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    } catch (RuntimeException e) {
      // shutting down: nothing more to do
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs
    }
  }

  /** Interrupted (Ctrl-C): delete the run's Jobs now. Also what the shutdown hook does. */
  public void cancel() {
    deleteRunJobs();
  }

  /**
   * One Job's events on their way to the runner's sink: forwarded at once while this Job owns the sink, kept
   * otherwise; each case's first event is followed by its price as the node it ran on.
   */
  private final class JobStream {
    private final Map<String, TestCase> cases = new LinkedHashMap<>();
    private final CaseSink sink;
    private final List<Runnable> held = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private final Set<String> done = new HashSet<>();
    volatile Placement placement;
    String current;

    JobStream(List<TestCase> group, CaseSink sink) {
      group.forEach(c -> cases.put(c.id(), c));
      this.sink = sink;
    }

    void event(WorkerEvent e, String line) {
      String id = e.caseId();
      if (id != null && cases.containsKey(id)) {
        current = id;
        if (seen.add(id)) {
          deliver(() -> sink.event(e, line));
          if (pricer != null && placement != null) deliver(() -> sink.event(pricer.priced(cases.get(id), placement)));
          if (e instanceof WorkerEvent.Done) after(id);
          return;
        }
        if (e instanceof WorkerEvent.Done) after(id);
      }
      deliver(() -> sink.event(e, line));
    }

    private void after(String id) {
      done.add(id);
      current = null;
    }

    void log(String caseId, String line) {
      deliver(() -> sink.log(caseId, line));
    }

    /** Fails the case the worker was on, or the first not begun, with how the Job ended; the rest follow in finish(). */
    void failOpen(FailureKind kind, String message) {
      for (TestCase c : cases.values()) {
        if (done.contains(c.id())) continue;
        log(c.id(), "genbench: " + message);
        event(new WorkerEvent.Failed(c.id(), kind, message), null);
        event(new WorkerEvent.Done(c.id()), null);
        kind = FailureKind.INFRASTRUCTURE;
        message = "not run: an earlier case of its Job ended the worker (" + message + ")";
      }
    }

    private void deliver(Runnable r) {
      synchronized (sinkLock) {
        if (owner == null) owner = this;
        if (owner == this) {
          r.run();
        } else {
          held.add(r);
        }
      }
    }

    /** Every case ends with done; then the held events go out once the sink is free, and the sink is released. */
    void finish() {
      for (TestCase c : cases.values()) {
        if (!done.contains(c.id())) failOpen(FailureKind.INFRASTRUCTURE, "the Job ended without finishing this case");
      }
      synchronized (sinkLock) {
        while (owner != null && owner != this) {
          try {
            sinkLock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        held.forEach(Runnable::run);
        held.clear();
        owner = null;
        sinkLock.notifyAll();
      }
    }
  }
}
