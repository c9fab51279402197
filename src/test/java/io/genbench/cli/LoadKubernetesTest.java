package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.genbench.execute.kubernetes.GeneratorJobs;
import io.genbench.load.FakeOpenAi;
import io.genbench.load.LevelMerge;
import io.genbench.load.LoadPlan;
import io.genbench.load.LoadSession;
import io.genbench.load.RequestRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genbench load --executor kubernetes} against fabric8's mock API server in CRUD mode with a fake kubelet: for
 * each generator Job it reads the plan Secret, runs the Job's args through genbench's own CLI in this process (the
 * generator mode, against a loopback server), then creates the Job's pod, serves what it printed as the pod log and sets
 * the Job's status. A scenario can make a generator fail instead.
 */
@Timeout(120)
final class LoadKubernetesTest {
  static final String NS = "bench";

  private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
  private KubernetesMockServer server;
  private KubernetesClient client;
  private Watch kubelet;
  private Predicate<Job> failing = j -> false;
  private final List<Job> jobs = java.util.Collections.synchronizedList(new ArrayList<>());
  @TempDir Path tmp;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    kubelet = client.batch().v1().jobs().inNamespace(NS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Job job) {
        if (action == Action.ADDED && seen.add(job.getMetadata().getUid())) {
          jobs.add(job);
          Thread.ofPlatform().daemon().start(() -> schedule(job));
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

  /** Runs the Job's generator in this process (or fails it), then shows its pod, its log and its end to the controller. */
  private void schedule(Job job) {
    String name = job.getMetadata().getName();
    var container = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
    String secret = job.getSpec().getTemplate().getSpec().getVolumes().getFirst().getSecret().getSecretName();
    boolean fail = failing.test(job);
    String log;
    int exit = 0;
    if (fail) {
      log = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n";
      exit = 1;
    } else {
      Path dir = tmp.resolve(name);
      try {
        Files.createDirectories(dir);
        Secret s = client.secrets().inNamespace(NS).withName(secret).get();
        if (s.getStringData() != null) for (var e : s.getStringData().entrySet()) Files.writeString(dir.resolve(e.getKey()), e.getValue());
        if (s.getData() != null) for (var e : s.getData().entrySet()) Files.write(dir.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      List<String> args = new ArrayList<>(container.getArgs());
      args.set(args.size() - 1, args.getLast().replace(GeneratorJobs.MOUNT, dir.toString()));
      StringWriter out = new StringWriter();
      var cl = GenBench.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(new StringWriter(), true));
      exit = cl.execute(args.toArray(String[]::new));
      log = "[main] INFO genbench load: starting\n" + out;
    }
    String pod = name + "-x1";
    for (String q : List.of("?pretty=false&container=generator&follow=true", "?pretty=false&follow=true&container=generator")) {
      server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log" + q).andReturn(200, log).always();
    }
    PodStatus status = new PodStatusBuilder().withPhase(exit == 0 ? "Succeeded" : "Failed").withContainerStatuses(new ContainerStatusBuilder()
        .withName("generator").withNewState().withNewTerminated().withExitCode(exit).withReason(exit == 0 ? "Completed" : "Error")
        .endTerminated().endState().build()).build();
    Pod made = new PodBuilder().withNewMetadata().withName(pod).withNamespace(NS).addToLabels("job-name", name)
        .endMetadata().withNewSpec().addNewContainer().withName("generator").withImage("img").endContainer().endSpec()
        .withStatus(status).build();
    try {
      client.pods().inNamespace(NS).resource(made).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      // on a loaded machine the mock server's event loop can stall for seconds (a closing watch waits there), the
      // client's request times out and its retry finds the pod the first attempt made: that pod is this one
      if (e.getCode() != 409) throw e;
    }
    Job current = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    current.setStatus(exit == 0
        ? new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build()
        : new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
            .withMessage("Job has reached the specified backoff limit").endCondition().build());
    client.batch().v1().jobs().inNamespace(NS).resource(current).updateStatus();
  }

  private static LoadPlan plan(String url, String profile) {
    return new LoadPlan(List.of(url), "openai-images", profile, 1.0, null, null, 2, null, null, null, 7L, 4, null, 5.0, null,
        null, null, null, null, null, null, null, Map.of("Authorization", "Bearer sk-test"), null, 0.5, 5, null, null).resolved("test");
  }

  private KubernetesLoadGenerators generators(LoadPlan plan, int n) {
    var config = new GeneratorJobs.Config(NS, "registry.example.com/genbench:0.1.0", "loadgen", List.of("regcred"), null,
        Duration.ofSeconds(120), "genbench-load-test"); // a pod "starts" here only once its generator ran, on a machine that may be loaded
    return new KubernetesLoadGenerators(new GeneratorJobs(client, config), plan, n, Duration.ofSeconds(25)); // room for the pods' JIT warm-ups (≈ 3.5 s each; 2–3 at once here, in this JVM, on 2 cores: 12 s was once 0.7 s short)
  }

  @Test
  void eachLevelRunsAsOneJobPerGeneratorWhoseRecordsMergeIntoTheLevel() throws Exception {
    try (FakeOpenAi target = new FakeOpenAi()) {
      LoadPlan plan = plan(target.url("/"), "sweep 12,24");

      LoadSession.Result result;
      try (var remote = generators(plan, 3)) {
        result = LoadSession.run(plan, tmp, tmp, tmp.resolve("run"), s -> { }, r -> null, remote, io.genbench.load.LoadObserver.NONE);
      }

      assertThat(jobs).extracting(j -> j.getMetadata().getName()).hasSize(6).allMatch(n -> n.matches("genbench-load-[0-9a-f]{8}-t0l[01]-g[012]"));
      Job second = jobs.stream().filter(j -> j.getMetadata().getName().endsWith("t0l0-g1")).findFirst().orElseThrow();
      var container = second.getSpec().getTemplate().getSpec().getContainers().getFirst();
      assertThat(container.getArgs()).containsSubsequence("load", "--generator", "1/3", "--generator-target", "0", "--generator-level", "0",
          "--generator-start").endsWith("/etc/genbench/load.yaml");
      assertThat(container.getImage()).isEqualTo("registry.example.com/genbench:0.1.0");
      assertThat(second.getMetadata().getAnnotations()).containsEntry("genbench.io/generator-share",
          "every 3rd arrival from #2 of level 12rps (4 req/s)");
      assertThat(second.getSpec().getBackoffLimit()).isZero();
      assertThat(second.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("loadgen");
      assertThat(second.getSpec().getTemplate().getSpec().getVolumes().getFirst().getSecret()).isNotNull();
      assertThat(jobs).extracting(j -> j.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs().get(8))
          .as("the agreed start: one per level, the same for all its generators").containsOnly(
              jobs.get(0).getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs().get(8),
              jobs.get(5).getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs().get(8)).hasSize(6);
      assertThat(result.run().runs()).hasSize(2);
      for (int l = 0; l < 2; l++) {
        var run = result.run().runs().get(l);
        int count = l == 0 ? 12 : 24;
        assertThat(run.records()).extracting(RequestRecord::index).containsExactlyInAnyOrderElementsOf(IntStream.range(0, count).boxed().toList());
        assertThat(run.records()).allSatisfy(r -> assertThat(r.scheduledNs() - LevelMerge.BASE_NS).isEqualTo(Math.round(r.index() * 1e9 / count)));
        assertThat(result.run().judgements().get(l).validity().reasons()).noneMatch(m -> m.matches("generator \\d+/.*"));
      }
      assertThat(result.run().stats().get(1).requests()).isEqualTo(22); // 24 minus the 2 warm-up requests
      assertThat(target.requests.get()).isEqualTo(36);
      assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
      assertThat(client.secrets().inNamespace(NS).list().getItems()).as("the plan Secret is removed at the end").isEmpty();
      assertThat(Files.readString(tmp.resolve("run/requests.csv"))).hasLineCount(37);
    }
  }

  @Test
  void aGeneratorThatFailsMakesItsLevelInvalidNamingItAndTheOtherLevelsGoOn() throws Exception {
    try (FakeOpenAi target = new FakeOpenAi()) {
      LoadPlan plan = plan(target.url("/"), "sweep 12,24");
      failing = j -> j.getMetadata().getName().endsWith("t0l0-g1");

      LoadSession.Result result;
      try (var remote = generators(plan, 2)) {
        result = LoadSession.run(plan, tmp, tmp, tmp.resolve("run"), s -> { }, r -> null, remote, io.genbench.load.LoadObserver.NONE);
      }

      assertThat(result.run().judgements().get(0).validity().valid()).isFalse();
      assertThat(result.run().judgements().get(0).validity().reasons()).anySatisfy(m -> assertThat(m)
          .startsWith("generator 1/2 failed: Job genbench-load-").contains("t0l0-g1").contains("exit code 1"));
      assertThat(result.run().runs().get(0).records()).extracting(RequestRecord::index).allMatch(i -> i % 2 == 0).hasSize(6);
      assertThat(result.run().judgements().get(1).validity().reasons()).noneMatch(m -> m.matches("generator \\d+/.*"));
      assertThat(result.run().runs().get(1).records()).hasSize(24);
      assertThat(result.anyLevelFailed()).isTrue();
      assertThat(Files.readString(tmp.resolve("run/results.json"))).contains("generator 1/2 failed");
    }
  }

  @Test
  void theCommandRefusesACapacitySearchOnKubernetesBeforeStartingAnything() {
    Cli cli = Cli.run("load", "http://127.0.0.1:9", "--profile", "sweep", "--slo", "p95<=2s", "--executor", "kubernetes",
        "--generators", "2", "--image", "genbench:0.1.0", "--out", tmp.resolve("never").toString());

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--executor kubernetes does not run a capacity search");
    assertThat(tmp.resolve("never")).doesNotExist();
  }

  @Test
  void aBadImageIsRefusedNamingTheOptionAndTheRule() {
    Cli cli = Cli.run("load", "http://127.0.0.1:9", "--profile", "constant 1", "--executor", "kubernetes", "--image", "Not An Image");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--image \"Not An Image\" is not an image reference");
  }

  @Test
  void generatorsWithoutTheKubernetesExecutorAreRefused() {
    Cli cli = Cli.run("load", "http://127.0.0.1:9", "--generators", "4", "--out", tmp.resolve("never").toString());

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--generators needs --executor kubernetes");
    assertThat(tmp.resolve("never")).doesNotExist();
  }

  @Test
  void theHelpNamesTheKubernetesOptionsButNotTheGeneratorMode() {
    Cli cli = Cli.run("load", "--help");

    assertThat(cli.out()).contains("--executor=local|kubernetes", "--generators=N", "--generator-lead=SECONDS", "--image=IMAGE",
        "--job-template=FILE").doesNotContain("--generator-start", "--generator=");
  }

  @Test
  void theGeneratorModeReadsOnlyAPlan() {
    Cli cli = Cli.run("load", "http://127.0.0.1:9", "--generator", "0/2", "--generator-start", "2026-12-06T12:00:00Z");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--generator is the mode of a load-generator pod");
  }

  @Test
  void thePlanSecretHoldsThePlanWithItsHeaders() {
    LoadPlan plan = plan("http://127.0.0.1:9/", "constant 1");
    try (var remote = generators(plan, 1)) {
      remote.publish(io.genbench.load.GeneratorPod.files(plan, tmp));
      Secret s = client.secrets().inNamespace(NS).list().getItems().getFirst();
      String yaml = s.getStringData() != null ? s.getStringData().get("load.yaml")
          : new String(Base64.getDecoder().decode(s.getData().get("load.yaml")), StandardCharsets.UTF_8);
      assertThat(yaml).contains("Bearer sk-test");
    }
    assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
  }

}
