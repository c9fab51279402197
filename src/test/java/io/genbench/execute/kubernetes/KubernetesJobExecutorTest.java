package io.genbench.execute.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.genbench.cost.PriceCatalog;
import io.genbench.execute.Executor;
import io.genbench.execute.FakeExecutor;
import io.genbench.execute.Pricer;
import io.genbench.execute.Progress;
import io.genbench.execute.RecordingSink;
import io.genbench.execute.Runner;
import io.genbench.execute.Ticker;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes executor against fabric8's mock API server in CRUD mode, with a fake kubelet: when a Job appears it
 * creates the node and the Job's pod in the state a scenario says, sets the Job's status, and serves the pod log.
 */
final class KubernetesJobExecutorTest {
  static final String NS = "bench";
  static final TestCase SD_G5 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT16);
  static final TestCase SD_G5_B2 = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 2, 2, new Resolution(64, 64), Precision.FLOAT16);
  static final TestCase SD_G6E = TestCase.diffusion(Model.SD_2_1, "g6e.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT16);

  /** What the kubelet makes of a Job: the pod's status (null: no pod), the Job's status, the pod log. */
  record Outcome(PodStatus pod, JobStatus job, String log) {}

  private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
  private KubernetesMockServer server;
  private KubernetesClient client;
  private Watch kubelet;
  private Function<Job, Outcome> scenario;
  final List<String> jobsSeen = java.util.Collections.synchronizedList(new ArrayList<>());
  private final java.util.Set<String> scheduled = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** While true the kubelet keeps new Jobs in {@link #held} instead of scheduling them; guarded by {@code held}. */
  private boolean holding;
  private final List<Job> held = new ArrayList<>();

  /** Lets the kubelet go: it schedules what it held, then every later Job at once. */
  private void release() {
    List<Job> now;
    synchronized (held) {
      holding = false;
      now = List.copyOf(held);
      held.clear();
    }
    now.forEach(this::schedule);
  }

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    kubelet = client.batch().v1().jobs().inNamespace(NS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Job job) {
        // a watch that reconnects (a slow, loaded machine) replays ADDED: a kubelet schedules each Job once
        if (action == Action.ADDED && scheduled.add(job.getMetadata().getUid())) {
          synchronized (held) {
            if (holding) { // a test holds the kubelet back: the Job waits, unscheduled, until it lets go
              held.add(job);
              return;
            }
          }
          schedule(job);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  @AfterEach
  void stop() {
    kubelet.close();
    client.close();
    server.destroy();
  }

  private void schedule(Job job) {
    String name = job.getMetadata().getName();
    jobsSeen.add(name);
    String type = job.getSpec().getTemplate().getSpec().getNodeSelector().get("node.kubernetes.io/instance-type");
    Outcome o = scenario.apply(job);
    String node = "node-" + type.replace('.', '-');
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).addToLabels(Map.of(
        "node.kubernetes.io/instance-type", type, "karpenter.sh/capacity-type", "spot", "topology.kubernetes.io/zone", "us-east-1c"))
        .endMetadata().build()).createOr(r -> r.update());
    if (o.pod() != null) {
      String pod = name + "-x1";
      server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?pretty=false&container=worker&follow=true")
          .andReturn(200, o.log()).always();
      server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?pretty=false&follow=true&container=worker")
          .andReturn(200, o.log()).always();
      client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(pod).withNamespace(NS)
          .addToLabels("job-name", name).endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("worker")
          .withImage("img").endContainer().endSpec().withStatus(o.pod()).build()).create();
    }
    if (o.job() != null) {
      Job current = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
      current.setStatus(o.job());
      client.batch().v1().jobs().inNamespace(NS).resource(current).updateStatus();
    }
  }

  static String log(List<TestCase> cases) {
    List<String> lines = new ArrayList<>();
    lines.add(WorkerEvent.toLine(new WorkerEvent.Hello(null, "0.1", 1, "torch", "3.11", "2.5", "12.4", "cuda", List.of(), "550", "pod")));
    lines.add("INFO building the UNet");
    for (TestCase c : cases) FakeExecutor.success(c, 500_000_000L).forEach(e -> lines.add(WorkerEvent.toLine(e)));
    return String.join("\n", lines) + "\n";
  }

  static PodStatus ended(String phase, int exit, String reason) {
    return new PodStatusBuilder().withPhase(phase).withContainerStatuses(new ContainerStatusBuilder().withName("worker")
        .withNewState().withNewTerminated().withExitCode(exit).withReason(reason).endTerminated().endState().build()).build();
  }

  static JobStatus succeeded() {
    return new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build();
  }

  static JobStatus failed(String reason) {
    return new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason(reason)
        .withMessage(reason + " from the fake").endCondition().build();
  }

  private KubernetesJobExecutor executor(String runId, int parallel, Duration unschedulable) {
    return new KubernetesJobExecutor(client, new KubernetesJobExecutor.Config(NS, "genbench-worker:test", "genbench", List.of("regcred"),
        null, parallel, unschedulable, runId, false, null, null, "torch"), new Pricer(PriceCatalog.bundled(), "us-east-1", io.genbench.cost.Lifecycle.ONDEMAND));
  }

  private static Settings settings() {
    return new Settings(1, 2, 2, 0, 60, 42);
  }

  @Test
  void aJobRunsToCompletionAndItsPodLogBecomesTheCasesEvents() {
    scenario = job -> new Outcome(ended("Succeeded", 0, "Completed"), succeeded(), log(List.of(SD_G5, SD_G5_B2)));
    var sink = new RecordingSink();

    try (var ex = executor("run-1", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5, SD_G5_B2), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Done.class)).extracting(WorkerEvent::caseId).containsExactly(SD_G5.id(), SD_G5_B2.id());
    assertThat(sink.ofType(WorkerEvent.Sample.class)).hasSize(4);
    assertThat(sink.ofType(WorkerEvent.Failed.class)).isEmpty();
    assertThat(sink.logs).contains("null: INFO building the UNet");
  }

  @Test
  void eachCaseIsPricedAsTheNodeItsPodRanOn() {
    scenario = job -> new Outcome(ended("Succeeded", 0, "Completed"), succeeded(), log(List.of(SD_G5)));
    var sink = new RecordingSink();

    try (var ex = executor("run-1", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Priced.class)).singleElement().satisfies(p -> {
      assertThat(p.actualInstance()).isEqualTo("g5.xlarge");
      assertThat(p.lifecycle()).isEqualTo("spot");
      assertThat(p.zone()).isEqualTo("us-east-1c");
    });
  }

  @Test
  void theJobCarriesTheCasesResourcesAndTheConfigMapCarriesTheJob() {
    TestCase withMemory = TestCase.diffusion(Model.SDXL, "g6e.xlarge", 1, 20, new Resolution(1024, 1024), Precision.FLOAT16)
        .withResources(new io.genbench.plan.Resources(1, "24Gi", "30Gi"));

    List<Object> manifests = executor("run-1", 1, Duration.ofSeconds(30)).manifests(List.of(withMemory), settings());

    Job job = (Job) manifests.get(1);
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(job.getMetadata().getName()).isEqualTo("genbench-sdxl-g6exlarge");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getNodeSelector()).containsEntry("node.kubernetes.io/instance-type", "g6e.xlarge");
    assertThat(pod.getContainers().getFirst().getResources().getLimits()).containsKeys("nvidia.com/gpu", "memory");
    assertThat(pod.getContainers().getFirst().getResources().getRequests().get("memory").toString()).isEqualTo("24Gi");
    assertThat(pod.getServiceAccountName()).isEqualTo("genbench");
    assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("regcred");
    assertThat(((io.fabric8.kubernetes.api.model.ConfigMap) manifests.get(0)).getData().get("job.json")).contains(withMemory.id());
    String yaml = Serialization.asYaml(job);
    assertThat(Serialization.unmarshal(yaml, Job.class)).isEqualTo(job);
  }

  @Test
  void aValueWithYamlInItStaysOneValueOfTheJob() {
    String image = "r/x:1\n  securityContext: {privileged: true}";
    var ex = new KubernetesJobExecutor(client, new KubernetesJobExecutor.Config("bench\n  annotations: {evil: yes}", image,
        "sa\nhostNetwork: true", List.of("s}\n  privileged: true"), null, 1, Duration.ofSeconds(30), "run-1", false, null, null,
        "torch"), null);

    Job job = (Job) ex.manifests(List.of(SD_G5), settings()).get(1);
    Job back = Serialization.unmarshal(Serialization.asYaml(job), Job.class);

    var pod = back.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().getFirst().getImage()).isEqualTo(image);
    assertThat(pod.getContainers().getFirst().getSecurityContext()).isNull();
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(back.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(back.getMetadata().getNamespace()).isEqualTo("bench\n  annotations: {evil: yes}");
  }

  @Test
  void anOomKilledPodFailsItsOpenCaseAsAnOomSignal() {
    String partial = log(List.of()) + WorkerEvent.toLine(new WorkerEvent.Loaded(SD_G5.id(), 1_000_000L, "random", 1L, Map.of())) + "\n";
    scenario = job -> new Outcome(ended("Failed", 137, "OOMKilled"), failed("BackoffLimitExceeded"), partial);
    var sink = new RecordingSink();

    try (var ex = executor("run-1", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5, SD_G5_B2), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).extracting(WorkerEvent.Failed::caseId, WorkerEvent.Failed::kind)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(SD_G5.id(), FailureKind.OOM_SIGNAL),
            org.assertj.core.groups.Tuple.tuple(SD_G5_B2.id(), FailureKind.INFRASTRUCTURE));
    assertThat(sink.ofType(WorkerEvent.Done.class)).hasSize(2);
  }

  @Test
  void aSegfaultedWorkerIsAnOomSigsegv() {
    scenario = job -> new Outcome(ended("Failed", 139, "Error"), failed("BackoffLimitExceeded"), log(List.of()));
    var sink = new RecordingSink();

    try (var ex = executor("run-1", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).extracting(WorkerEvent.Failed::kind).containsExactly(FailureKind.OOM_SIGSEGV);
  }

  @Test
  void aJobPastItsDeadlineIsATimeout() {
    scenario = job -> new Outcome(null, failed("DeadlineExceeded"), "");
    var sink = new RecordingSink();

    try (var ex = executor("run-1", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(FailureKind.TIMEOUT);
      assertThat(f.message()).contains("deadline");
    });
  }

  @Test
  void aPodThatCannotBeScheduledFailsAsInfrastructureWithTheSchedulersReasonAndItsJobIsDeleted() {
    scenario = job -> new Outcome(new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
        .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.").endCondition().build(), null, "");
    var sink = new RecordingSink();

    try (var ex = executor("run-1", 1, Duration.ofMillis(300))) {
      ex.execute(List.of(SD_G5), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
      assertThat(f.message()).contains("Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    });
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName("genbench-sd-2-1-g5xlarge").get()).isNull();
  }

  @Test
  void aSameNameJobOfAnEarlierRunIsDeletedFirst() {
    client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("genbench-sd-2-1-g5xlarge")
        .withNamespace(NS).addToLabels(KubernetesJobExecutor.RUN_LABEL, "old-run").endMetadata().withNewSpec().withNewTemplate()
        .withNewSpec().addNewContainer().withName("worker").withImage("old").endContainer().withNodeSelector(Map.of(
            "node.kubernetes.io/instance-type", "g5.xlarge")).endSpec().endTemplate().endSpec().build()).create();
    scenario = job -> job.getMetadata().getLabels().get(KubernetesJobExecutor.RUN_LABEL).equals("old-run")
        ? new Outcome(null, null, "") : new Outcome(ended("Succeeded", 0, "Completed"), succeeded(), log(List.of(SD_G5)));
    var sink = new RecordingSink();

    try (var ex = executor("run-2", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5), settings(), sink);
    }

    assertThat(sink.ofType(WorkerEvent.Failed.class)).isEmpty();
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName("genbench-sd-2-1-g5xlarge").get().getMetadata().getLabels())
        .containsEntry(KubernetesJobExecutor.RUN_LABEL, "run-2");
  }

  @Test
  void aResumedRunAdoptsItsJobStillRunning() throws InterruptedException {
    scenario = job -> new Outcome(ended("Succeeded", 0, "Completed"), succeeded(), log(List.of(SD_G5)));
    // the Job as the interrupted run left it: created, not finished. The kubelet holds it until the executor has
    // adopted it: had it finished first (a loaded machine), the run would rightly start it anew, and the test raced
    synchronized (held) {
      holding = true;
    }
    Job left = executor("run-3", 1, Duration.ofSeconds(30)).job(List.of(SD_G5), settings());
    client.batch().v1().jobs().inNamespace(NS).resource(left).create();
    String uid = client.batch().v1().jobs().inNamespace(NS).withName(left.getMetadata().getName()).get().getMetadata().getUid();
    var sink = new RecordingSink();
    Thread releaser = new Thread(() -> {
      long until = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < until && !adopted(sink)) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
      release();
    });
    releaser.start();

    try (var ex = executor("run-3", 1, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5), settings(), sink);
    }
    releaser.join();

    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(left.getMetadata().getName()).get().getMetadata().getUid()).isEqualTo(uid);
    assertThat(sink.ofType(WorkerEvent.Done.class)).hasSize(1);
    assertThat(sink.logs).anyMatch(l -> l.contains("adopting Job"));
  }

  private static boolean adopted(RecordingSink sink) {
    synchronized (sink.logs) {
      return sink.logs.stream().anyMatch(l -> l.contains("adopting Job"));
    }
  }

  @Test
  void cancellingDeletesTheRunsJobsOnly() {
    client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("someone-else").withNamespace(NS)
        .addToLabels(KubernetesJobExecutor.RUN_LABEL, "other").endMetadata().build()).create();
    client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("ours").withNamespace(NS)
        .addToLabels(KubernetesJobExecutor.RUN_LABEL, "run-4").endMetadata().build()).create();

    try (var ex = executor("run-4", 1, Duration.ofSeconds(30))) {
      ex.cancel();
    }

    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).extracting(j -> j.getMetadata().getName())
        .containsExactly("someone-else");
  }

  @Test
  void jobsOfDifferentInstanceTypesRunInParallelAndTheirCasesReachTheSinkWhole() {
    scenario = job -> {
      String type = job.getSpec().getTemplate().getSpec().getNodeSelector().get("node.kubernetes.io/instance-type");
      return new Outcome(ended("Succeeded", 0, "Completed"), succeeded(), log(type.equals("g5.xlarge") ? List.of(SD_G5) : List.of(SD_G6E)));
    };
    var sink = new RecordingSink();

    try (var ex = executor("run-5", 2, Duration.ofSeconds(30))) {
      ex.execute(List.of(SD_G5, SD_G6E), settings(), sink);
    }

    assertThat(jobsSeen).containsExactlyInAnyOrder("genbench-sd-2-1-g5xlarge", "genbench-sd-2-1-g6exlarge");
    // one case at a time: a case's events are contiguous, ending with its done
    String order = sink.events.stream().filter(e -> e.caseId() != null).map(WorkerEvent::caseId).distinct().collect(Collectors.joining(","));
    assertThat(order.split(",")).containsExactlyInAnyOrder(SD_G5.id(), SD_G6E.id());
    List<String> ids = sink.events.stream().map(WorkerEvent::caseId).filter(java.util.Objects::nonNull).toList();
    int switches = 0;
    for (int i = 1; i < ids.size(); i++) if (!ids.get(i).equals(ids.get(i - 1))) switches++;
    assertThat(switches).isEqualTo(1);
  }

  /** Runs a plan through the Runner with this executor and returns each case's result. */
  private static Map<String, io.genbench.result.CaseResult> runThrough(Executor executor, java.nio.file.Path root,
      io.genbench.plan.Plan plan) {
    var dir = io.genbench.store.RunDirectory.create(root);
    Map<String, io.genbench.result.CaseResult> results = new java.util.LinkedHashMap<>();
    new Runner(executor, dir, PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null), id -> {
      var r = io.genbench.measure.CaseAnalyzer.analyze(id, io.genbench.measure.Measurements.of(dir.readEvents(id)), List.of());
      results.put(id, r);
      io.genbench.store.RunDirectory.writeAtomic(dir.caseDir(id).resolve(io.genbench.store.RunDirectory.RESULT), "{}");
      return r.status().name();
    }, new Progress(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), false, Ticker.SYSTEM)).run(plan);
    return results;
  }

  @Test
  void aKubernetesRunCostsItsCasesExactlyAsALocalRunOfTheSameMeasurements(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    var plan = new io.genbench.plan.Plan(io.genbench.plan.Mode.COMPARISON, settings(), List.of(SD_G5, SD_G5_B2, SD_G6E));
    // each Job's pod replays what a local worker reports for the Job's cases: the same events, so the same figures
    scenario = job -> {
      String type = job.getSpec().getTemplate().getSpec().getNodeSelector().get("node.kubernetes.io/instance-type");
      return new Outcome(ended("Succeeded", 0, "Completed"), succeeded(),
          log(plan.cases().stream().filter(c -> c.instanceType().equals(type)).toList()));
    };

    Map<String, io.genbench.result.CaseResult> kube;
    try (var ex = executor("run-1", 1, Duration.ofSeconds(30))) {
      kube = runThrough(ex, tmp.resolve("kube"), plan);
    }
    var local = runThrough(new FakeExecutor(c -> FakeExecutor.success(c, 500_000_000L)), tmp.resolve("local"), plan);

    assertThat(kube.keySet()).containsExactlyInAnyOrderElementsOf(local.keySet()).hasSize(3);
    for (String id : local.keySet()) {
      var k = kube.get(id);
      var l = local.get(id);
      assertThat(k.status()).as(id).isEqualTo(l.status());
      assertThat(k.timePerImageS()).as(id).isEqualTo(l.timePerImageS());
      assertThat(k.cost()).as(id).isEqualTo(l.cost());
      assertThat(k.price().spotUsdPerHour()).as(id).isEqualTo(l.price().spotUsdPerHour());
      assertThat(k.price().ondemandUsdPerHour()).as(id).isEqualTo(l.price().ondemandUsdPerHour());
      // where it ran is where they differ: the pod's node, against this machine
      assertThat(k.actualInstance()).as(id).isEqualTo(plan.cases().stream().filter(c -> c.id().equals(id)).findFirst()
          .orElseThrow().instanceType());
      assertThat(l.actualInstance()).as(id).startsWith("local (");
    }
    java.util.Comparator<io.genbench.result.CaseResult> bySpot = java.util.Comparator.comparing(
        r -> ((io.genbench.result.CaseResult.ImageCost) r.cost()).cost1000ImagesSpotUsd());
    assertThat(kube.values().stream().min(bySpot).orElseThrow().caseId())
        .isEqualTo(local.values().stream().min(bySpot).orElseThrow().caseId());
    java.util.Comparator<io.genbench.result.CaseResult> bySpeed = java.util.Comparator.comparing(r -> r.timePerImageS());
    assertThat(kube.values().stream().min(bySpeed).orElseThrow().caseId())
        .isEqualTo(local.values().stream().min(bySpeed).orElseThrow().caseId());
  }
}
