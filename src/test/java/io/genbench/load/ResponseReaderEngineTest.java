package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both engines tell a whole-body reader the announced length, and read a multi-megabyte image answer whole. */
class ResponseReaderEngineTest {
  @ParameterizedTest
  @EnumSource(LoadEngine.Kind.class)
  void aContentLengthIsAnnouncedToTheReaderAndEightLargeImagesAreCounted(LoadEngine.Kind kind) throws Exception {
    byte[] body = BodyReadRate.imagesBody(8, 300_000, 5);
    byte[] head = ("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    ConcurrentLinkedQueue<Long> announced = new ConcurrentLinkedQueue<>();
    try (RawHttpServer server = new RawHttpServer(n -> new RawHttpServer.Reply(List.of(head, body), 0, false, false));
        LoadEngine engine = LoadEngine.open(kind, server.url("/"), 1, false, 20_000_000_000L, Map.of(),
            () -> new ResponseReader.Whole(ResponseReader.imagesCheck("b64_json")) {
              @Override
              void expect(long length) {
                announced.add(length);
                super.expect(length);
              }
            }, LoadClock.SYSTEM)) {
      for (int i = 0; i < 2; i++) {
        CompletableFuture<RequestRecord> f = new CompletableFuture<>();
        engine.fire(new LoadEngine.Call(0, 0, i, false, 0, System.nanoTime(), "{}".getBytes(StandardCharsets.UTF_8), f::complete));
        RequestRecord r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.ok()).as("request %d: %s", i, r).isTrue();
        assertThat(r.images()).isEqualTo(8);
      }
      assertThat(announced).containsExactly((long) body.length, (long) body.length);
    }
  }
}
