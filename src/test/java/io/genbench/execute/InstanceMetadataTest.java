package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.genbench.cost.PriceCatalog;
import io.genbench.env.InstanceMetadata;
import io.genbench.env.Placement;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.WorkerEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** IMDSv2 against a loopback metadata service; and pricing a case as the detected placement. */
final class InstanceMetadataTest {
  private HttpServer server;
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean tokens = true;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      requests.add(ex.getRequestMethod() + " " + path);
      String body;
      int status = 200;
      if (path.equals("/latest/api/token") && ex.getRequestMethod().equals("PUT") && tokens) {
        body = "TOKEN-1";
      } else if (!"TOKEN-1".equals(ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"))) {
        status = 401;
        body = "";
      } else {
        body = switch (path) {
          case "/latest/meta-data/instance-type" -> "g6e.xlarge";
          case "/latest/meta-data/placement/availability-zone" -> "us-west-2b";
          case "/latest/meta-data/instance-life-cycle" -> "spot";
          default -> "";
        };
        if (body.isEmpty()) status = 404;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void readsTypeZoneAndLifecycleWithASessionTokenFirst() {
    Placement p = new InstanceMetadata(base(), Duration.ofSeconds(30)).detect().orElseThrow();

    assertThat(p).isEqualTo(new Placement("g6e.xlarge", "spot", "us-west-2b", "imds"));
    assertThat(requests.getFirst()).isEqualTo("PUT /latest/api/token");
  }

  @Test
  void noTokenMeansNoPlacement() {
    tokens = false;

    assertThat(new InstanceMetadata(base(), Duration.ofSeconds(30)).detect()).isEmpty();
    assertThat(requests).containsExactly("PUT /latest/api/token");
  }

  @Test
  void nodeLabelsOfKarpenterAndEksGiveThePlacement() {
    assertThat(Placement.fromNodeLabels(Map.of("node.kubernetes.io/instance-type", "g5.xlarge", "karpenter.sh/capacity-type", "on-demand",
        "topology.kubernetes.io/zone", "us-west-2a"))).isEqualTo(new Placement("g5.xlarge", "ondemand", "us-west-2a", "node-labels"));
    assertThat(Placement.fromNodeLabels(Map.of("eks.amazonaws.com/capacityType", "SPOT")).lifecycle()).isEqualTo("spot");
  }

  @Test
  void aCaseIsPricedAsTheDetectedPlacementWithItsZone() {
    TestCase c = TestCase.diffusion(Model.SD_2_1, "g5.xlarge", 1, 2, new Resolution(64, 64), Precision.FLOAT32);
    var fake = new FakeExecutor(x -> FakeExecutor.success(x, 1_000_000L));
    var sink = new RecordingSink();
    var placed = new PlacedExecutor(fake, new Placement("g6e.xlarge", "spot", "us-east-1b", "imds"),
        new Pricer(PriceCatalog.bundled(), "us-east-1", io.genbench.cost.Lifecycle.ONDEMAND));

    placed.execute(List.of(c), Settings.DEFAULT, sink);

    assertThat(sink.ofType(WorkerEvent.Priced.class)).singleElement().satisfies(p -> {
      assertThat(p.actualInstance()).isEqualTo("g6e.xlarge");
      assertThat(p.lifecycle()).isEqualTo("spot");
      assertThat(p.zone()).isEqualTo("us-east-1b");
      assertThat(p.ondemandUsdPerHour()).isEqualTo(1.861);
    });
  }
}
