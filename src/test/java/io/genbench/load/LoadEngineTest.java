package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
  private static LoadEngine engine(LoadEngine.Kind kind, String url, int connections, long timeoutNs) {
    return LoadEngine.open(kind, url, connections, false, timeoutNs, Map.of(), () -> new ResponseReader.Whole((body, into) -> {
      into.images = body.path("data").size();
      return into.images > 0 ? null : "no data";
    }), LoadClock.SYSTEM);
  }

  private static CompletableFuture<RequestRecord> fire(LoadEngine engine, int index) {
    CompletableFuture<RequestRecord> f = new CompletableFuture<>();
    engine.fire(new LoadEngine.Call(0, 0, index, false, 0, System.nanoTime(), "{\"prompt\":\"p\"}".getBytes(StandardCharsets.UTF_8),
        f::complete));
    return f;
  }

  /** inFlight() once it reaches 0 or 5 s passed (a record is delivered just before its request leaves the count). */
  private static int settled(LoadEngine engine) throws InterruptedException {
    long t0 = System.nanoTime();
    while (engine.inFlight() > 0 && System.nanoTime() - t0 < 5_000_000_000L) Thread.sleep(1);
    return engine.inFlight();
  }

  private static final String OK_BODY = "{\"data\":[{\"b64_json\":\"aGVsbG8=\"}]}";

  private static String ok(String extraHeaders) {
    return "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" + extraHeaders + "content-length: " + OK_BODY.length() + "\r\n\r\n" + OK_BODY;
  }

  @Test
  void plainHttpGetsTheNettyEngineAndHttpsOrHttp2TheVertxOne() {
    assertThat(LoadEngine.kindFor("http://127.0.0.1:1/x", false)).isEqualTo(LoadEngine.Kind.NETTY);
    assertThat(LoadEngine.kindFor("https://127.0.0.1:1/x", false)).isEqualTo(LoadEngine.Kind.VERTX);
    assertThat(LoadEngine.kindFor("http://127.0.0.1:1/x", true)).isEqualTo(LoadEngine.Kind.VERTX);
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void whileOneConnectionIsStalledEveryRequestTakesTheOtherAndTheQueueIsServedInOrder(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi(); LoadEngine engine = engine(kind, server.url("/v1/images/generations"), 2, 20_000_000_000L)) {
      server.stallRequest = 0;
      server.stallMs = 10_000;  // long, so that a busy host's stalls of a second or two fit in the margins below
      CompletableFuture<RequestRecord> stalled = fire(engine, 0);
      long t0 = System.nanoTime();
      while (server.requests.get() < 1 && System.nanoTime() - t0 < 10_000_000_000L) Thread.sleep(1);
      List<RequestRecord> one = new ArrayList<>();
      for (int i = 1; i <= 4; i++) one.add(fire(engine, i).get(20, TimeUnit.SECONDS)); // one at a time: a connection is idle
      List<CompletableFuture<RequestRecord>> burst = new ArrayList<>();
      for (int i = 5; i <= 12; i++) burst.add(fire(engine, i)); // together: they queue for the one free connection
      List<RequestRecord> queued = new ArrayList<>();
      for (var f : burst) queued.add(f.get(20, TimeUnit.SECONDS));
      RequestRecord s = stalled.get(20, TimeUnit.SECONDS);

      assertThat(s.ok()).as(s.toString()).isTrue();
      assertThat(one).allMatch(RequestRecord::ok).allMatch(r -> r.doneNs() < s.doneNs() - 5_000_000_000L, "done while the stall lasted")
          .allMatch(r -> r.dispatchLagNs() < 2_000_000_000L, "no wait for the stalled connection");
      assertThat(queued).allMatch(RequestRecord::ok).allMatch(r -> r.doneNs() < s.doneNs() - 5_000_000_000L);
      assertThat(queued.stream().sorted(Comparator.comparingLong(RequestRecord::sentNs)).map(RequestRecord::index).toList())
          .as("sent in the order fired").containsExactly(5, 6, 7, 8, 9, 10, 11, 12);
      assertThat(server.connections.get()).as("connections opened").isLessThanOrEqualTo(2);
      assertThat(settled(engine)).as("in flight once every record is in").isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aConnectionCloseAnswerClosesItsConnectionAndTheNextRequestOpensAnother(LoadEngine.Kind kind) throws Exception {
    try (RawHttpServer server = new RawHttpServer(n -> new RawHttpServer.Reply(List.of(ok("connection: close\r\n")
        .getBytes(StandardCharsets.UTF_8)), 0, true, false)); LoadEngine engine = engine(kind, server.url("/"), 1, 10_000_000_000L)) {
      List<RequestRecord> records = new ArrayList<>();
      for (int i = 0; i < 3; i++) records.add(fire(engine, i).get(20, TimeUnit.SECONDS));

      assertThat(records).allMatch(r -> r.ok() && r.images() == 1, "answered");
      assertThat(server.connections.get()).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aResetInTheMiddleOfABodyIsAConnectionErrorAndTheNextRequestGetsANewConnection(LoadEngine.Kind kind) throws Exception {
    String half = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"data\":[";
    try (RawHttpServer server = new RawHttpServer(n -> n == 0 ? new RawHttpServer.Reply(List.of(half.getBytes(StandardCharsets.UTF_8)),
        0, false, true) : RawHttpServer.Reply.of(ok(""))); LoadEngine engine = engine(kind, server.url("/"), 1, 10_000_000_000L)) {
      RequestRecord reset = fire(engine, 0).get(20, TimeUnit.SECONDS);
      RequestRecord next = fire(engine, 1).get(20, TimeUnit.SECONDS);

      assertThat(reset.error()).as(reset.toString()).isEqualTo(ErrorKind.CONNECTION);
      assertThat(reset.httpStatus()).isEqualTo(200);
      assertThat(next.ok()).as(next.toString()).isTrue();
      assertThat(server.connections.get()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aMalformedStatusLineIsAConnectionErrorNotACrash(LoadEngine.Kind kind) throws Exception {
    try (RawHttpServer server = new RawHttpServer(n -> n == 0 ? RawHttpServer.Reply.of("HTTP/1.1 abc\r\ncontent-length: 2\r\n\r\n{}")
        : RawHttpServer.Reply.of(ok(""))); LoadEngine engine = engine(kind, server.url("/"), 1, 10_000_000_000L)) {
      RequestRecord bad = fire(engine, 0).get(20, TimeUnit.SECONDS);
      RequestRecord next = fire(engine, 1).get(20, TimeUnit.SECONDS);

      assertThat(bad.error()).as(bad.toString()).isEqualTo(ErrorKind.CONNECTION);
      assertThat(next.ok()).as(next.toString()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aChunkedBodyArrivingInPiecesIsReadWhole(LoadEngine.Kind kind) throws Exception {
    String head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    List<byte[]> parts = new ArrayList<>();
    parts.add(head.getBytes(StandardCharsets.UTF_8));
    for (String piece : List.of("{\"data\":[{\"b64_json\":", "\"aGVsbG8=\"},", "{\"url\":\"u\"}]}")) {
      parts.add((Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    parts.add("0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    try (RawHttpServer server = new RawHttpServer(n -> new RawHttpServer.Reply(parts, 100, false, false));
        LoadEngine engine = engine(kind, server.url("/"), 1, 10_000_000_000L)) {
      RequestRecord a = fire(engine, 0).get(20, TimeUnit.SECONDS);
      RequestRecord b = fire(engine, 1).get(20, TimeUnit.SECONDS);

      assertThat(List.of(a, b)).allMatch(r -> r.ok() && r.images() == 2, "read whole");
      // two 100 ms pauses, checked against 30 ms: the client's loop off its core for a while reads a head and later chunks
      // together, which took 20 ms pauses under 30 ms on a busy 2-core host
      assertThat(a.doneNs() - a.firstByteNs()).as("the last chunk came two pauses after the first").isGreaterThanOrEqualTo(30_000_000L);
      assertThat(server.connections.get()).as("the connection was kept").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aRequestWithoutAnswerTimesOutFromItsSendAndItsConnectionIsReplaced(LoadEngine.Kind kind) throws Exception {
    try (FakeOpenAi server = new FakeOpenAi(); LoadEngine never = engine(kind, server.url("/never"), 1, 200_000_000L)) {
      RequestRecord r = fire(never, 0).get(20, TimeUnit.SECONDS);
      RequestRecord again = fire(never, 1).get(20, TimeUnit.SECONDS);

      assertThat(List.of(r, again)).allMatch(x -> x.error() == ErrorKind.TIMEOUT);
      assertThat(r.doneNs() - r.sentNs()).isBetween(200_000_000L, 10_000_000_000L);
      assertThat(server.connections.get()).as("the timed-out connection is not reused").isEqualTo(2);
      assertThat(settled(never)).as("in flight once every record is in").isZero();
    }
  }

  @Test
  void aRequestHandedOverAheadIsWrittenAtItsDueTimeAndALateOneAtOnce() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi(); LoadEngine engine = engine(LoadEngine.Kind.NETTY, server.url("/v1/images/generations"), 2,
        5_000_000_000L)) {
      assertThat(engine.aheadNs(1_000_000)).isPositive();
      CompletableFuture<RequestRecord> late = new CompletableFuture<>();
      long before = System.nanoTime();
      engine.fireAt(new LoadEngine.Call(0, 0, 0, false, 0, before - 1_000_000_000L, "{}".getBytes(), late::complete));
      RequestRecord l = late.get(20, TimeUnit.SECONDS);
      assertThat(l.ok()).as(l.toString()).isTrue();
      assertThat(l.firedNs()).as("a late request's lateness shows as fire lag").isGreaterThanOrEqualTo(before);

      CompletableFuture<RequestRecord> early = new CompletableFuture<>();
      long due = System.nanoTime() + 50_000_000L;
      engine.fireAt(new LoadEngine.Call(0, 0, 1, false, 0, due, "{}".getBytes(), early::complete));
      RequestRecord e = early.get(20, TimeUnit.SECONDS);
      assertThat(e.ok()).as(e.toString()).isTrue();
      assertThat(e.firedNs()).as("taken up at its due time, never before").isGreaterThanOrEqualTo(due);
      assertThat(e.sentNs()).as("written at its due time, never before").isGreaterThanOrEqualTo(e.firedNs());
    }
  }

  @Test
  void slowAnswersAreReadWhetherTheLoopPollsForThemOrItsPollRanOutBeforeThey() throws Exception {
    try (FakeOpenAi server = new FakeOpenAi(); LoadEngine engine = engine(LoadEngine.Kind.NETTY, server.url("/v1/images/generations"), 1,
        5_000_000_000L)) {
      server.serviceMs = 5; // >= WakeAhead.MIN_SERVICE_NS: after the first answer the loop polls from 1 ms before the next
      for (int i = 0; i < 8; i++) {
        RequestRecord r = fire(engine, i).get(20, TimeUnit.SECONDS);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.doneNs() - r.sentNs()).as("service of request " + i).isGreaterThanOrEqualTo(5_000_000L);
      }
      server.serviceMs = 30; // now later than the poll's 2 ms bound: the loop sleeps again and still reads the answer
      for (int i = 8; i < 11; i++) {
        RequestRecord r = fire(engine, i).get(20, TimeUnit.SECONDS);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.doneNs() - r.sentNs()).as("service of request " + i).isGreaterThanOrEqualTo(30_000_000L);
      }
    }
  }

  @Test
  void theRequestBytesAreOneHttp11PostWithThePlansHeadersReplacingTheDefaults() throws Exception {
    try (RawHttpServer server = new RawHttpServer(n -> RawHttpServer.Reply.of(ok("")));
        LoadEngine engine = LoadEngine.open(LoadEngine.Kind.NETTY, server.url("/v1/x?a=b"), 1, false, 5_000_000_000L,
            Map.of("Accept", "text/event-stream", "Authorization", "Bearer k"), () -> new ResponseReader.Whole((b, into) -> null),
            LoadClock.SYSTEM)) {
      assertThat(fire(engine, 0).get(20, TimeUnit.SECONDS).ok()).isTrue();

      String head = server.heads.get(0);
      assertThat(head).startsWith("POST /v1/x?a=b HTTP/1.1\r\n").contains("host: 127.0.0.1:").contains("\r\nAccept: text/event-stream\r\n")
          .doesNotContain("application/json, text/event-stream").contains("\r\nAuthorization: Bearer k\r\n")
          .contains("\r\ncontent-type: application/json\r\n").endsWith("content-length: 14\r\n\r\n");
    }
  }

  @Test
  void aHeaderWithALineBreakIsRefusedByName() {
    assertThatThrownBy(() -> LoadEngine.open(LoadEngine.Kind.NETTY, "http://127.0.0.1:1/", 1, false, 1_000_000_000L,
        Map.of("X-Bad", "a\r\nb"), () -> null, LoadClock.SYSTEM)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Bad");
  }
}
