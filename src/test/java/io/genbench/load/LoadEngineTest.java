package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class LoadEngineTest {

  @Test
  void warmingConnectsOnceAndWritesNothingSoNoRequestReachesTheServer() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(20_000);
      CompletableFuture<Integer> bytesRead = CompletableFuture.supplyAsync(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          s.setSoTimeout(20_000);
          int n = 0;
          while (in.read() >= 0) n++;
          return n;
        } catch (Exception e) {
          return -1;
        }
      });
      try (LoadEngine engine = LoadEngine.open("http://127.0.0.1:" + server.getLocalPort() + "/v1/images/generations", 4, false,
          5_000_000_000L, Map.of(), () -> new ResponseReader.Whole((body, into) -> null), LoadClock.SYSTEM)) {
        engine.warm(5_000_000_000L);
        assertThat(engine.inFlight()).isZero();
      } // closing the engine closes the connection, whether the reset closed it or the pool kept it

      assertThat(bytesRead.get(20, TimeUnit.SECONDS)).as("bytes the server read before the connection closed").isZero();
    }
  }

  @Test
  void warmingAnUnreachableTargetReturnsQuietly() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    try (LoadEngine engine = LoadEngine.open("http://127.0.0.1:" + port + "/", 1, false, 2_000_000_000L, Map.of(),
        () -> new ResponseReader.Whole((body, into) -> null), LoadClock.SYSTEM)) {
      long t0 = System.nanoTime();
      engine.warm(2_000_000_000L);
      assertThat(System.nanoTime() - t0).isLessThan(10_000_000_000L);
    }
  }

  @Test
  void aWarmedLevelSendsTheServerExactlyItsScheduledRequests() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi()) {
      LoadPlan plan = LoadRunnerTest.plan(server.url("/v1/images/generations"), "openai-images", "constant 100", 0.2, null);

      List<RequestRecord> records = LoadRunnerTest.run(plan);

      assertThat(records).hasSize(20).allMatch(RequestRecord::ok);
      assertThat(server.requests.get()).as("requests the server answered").isEqualTo(20);
    }
  }

  @Test
  void theSchedulerSpinsBeforeDueTimesOnlyWhileSpinningCostsAQuarterOfACoreAtMost() {
    assertThat(LoadRunner.spinNs(1_000_000)).as("1,000 req/s").isEqualTo(LoadRunner.SPIN_NS);
    assertThat(LoadRunner.spinNs(4 * LoadRunner.SPIN_NS)).isEqualTo(LoadRunner.SPIN_NS);
    assertThat(LoadRunner.spinNs(4 * LoadRunner.SPIN_NS - 1)).isZero();
    assertThat(LoadRunner.spinNs(100_000)).as("10,000 req/s").isZero();
    assertThat(LoadRunner.spinNs(0)).as("requests due together").isZero();
  }
}
