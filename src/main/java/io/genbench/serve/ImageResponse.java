package io.genbench.serve;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The body of an image response, {@code {"created":…,"data":[{"b64_json":"…"},…],"metrics":{…}}}, built in one
 * array: every size is known before encoding (stored PNGs, {@link Png#size}), so each image is encoded as PNG, then
 * base64 straight into its place in parts at once ({@link #base64Into}), all images of a response at once on the
 * encoding pool, and the array goes out as the response's buffer without another copy. The {@code metrics} object, known only when the answer leaves, is written
 * into the space left at the end.
 */
final class ImageResponse {
  private static final byte[] ITEM_OPEN = "{\"b64_json\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ITEM_CLOSE = "\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] METRICS_OPEN = "],\"metrics\":".getBytes(StandardCharsets.US_ASCII);
  private static final int METRICS_ROOM = 1024;

  private final byte[] body;
  private final int end;

  private ImageResponse(byte[] body, int end) {
    this.body = body;
    this.end = end;
  }

  /** Encodes {@code images} on {@code pool}, one task per image; completes when all are in place. */
  static CompletableFuture<ImageResponse> encode(List<ImageBackend.Image> images, Executor pool) {
    byte[] head = ("{\"created\":" + System.currentTimeMillis() / 1000 + ",\"data\":[").getBytes(StandardCharsets.US_ASCII);
    long size = head.length;
    long[] at = new long[images.size()];
    for (int i = 0; i < images.size(); i++) {
      ImageBackend.Image im = images.get(i);
      size += (i > 0 ? 1 : 0) + ITEM_OPEN.length;
      at[i] = size;
      size += base64Length(Png.size(im.width(), im.height())) + ITEM_CLOSE.length;
    }
    long total = size + METRICS_OPEN.length + METRICS_ROOM;
    if (total > Integer.MAX_VALUE - 16) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("the response would exceed 2 GB (" + images.size() + " images)"));
    }
    byte[] body = new byte[(int) total];
    System.arraycopy(head, 0, body, 0, head.length);
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      int start = (int) at[i];
      ImageBackend.Image im = images.get(i);
      if (i > 0) body[start - ITEM_OPEN.length - 1] = ',';
      System.arraycopy(ITEM_OPEN, 0, body, start - ITEM_OPEN.length, ITEM_OPEN.length);
      parts.add(CompletableFuture.supplyAsync(() -> Png.encode(im), pool).thenCompose(png -> {
        System.arraycopy(ITEM_CLOSE, 0, body, start + (int) base64Length(png.length), ITEM_CLOSE.length);
        return base64Into(png, body, start, pool);
      }));
    }
    int metricsAt = (int) size;
    System.arraycopy(METRICS_OPEN, 0, body, metricsAt, METRICS_OPEN.length);
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> new ImageResponse(body, metricsAt + METRICS_OPEN.length));
  }

  static long base64Length(long bytes) {
    return 4 * ((bytes + 2) / 3);
  }

  /** Smallest part of a PNG base64-encoded by one task: below it the hand-off costs more than it saves. */
  static final int B64_CHUNK_MIN = 128 * 1024;
  private static final int B64_PARTS = Math.max(1, Runtime.getRuntime().availableProcessors());

  /**
   * Base64 of {@code src} into {@code out} from {@code at}, in parts encoded at once on {@code pool}: a part that starts
   * at a multiple of 3 bytes has its characters at a known place (4 per 3 bytes) and needs no padding unless it is the
   * last, so the parts are independent. Each part goes through a small buffer of the encoder straight into the body.
   */
  static CompletableFuture<Void> base64Into(byte[] src, byte[] out, int at, Executor pool) {
    return base64Into(src, out, at, pool, (int) Math.max(1, Math.min(B64_PARTS, src.length / B64_CHUNK_MIN)));
  }

  static CompletableFuture<Void> base64Into(byte[] src, byte[] out, int at, Executor pool, int parts) {
    int per = src.length / parts / 3 * 3;
    if (parts == 1 || per == 0) {
      base64Part(src, 0, src.length, out, at);
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Void>> tasks = new ArrayList<>();
    for (int k = 0; k < parts; k++) {
      int from = k * per;
      int to = k == parts - 1 ? src.length : from + per;
      if (k == parts - 1) {
        base64Part(src, from, to, out, at + from / 3 * 4);  // the last part on this thread
      } else {
        tasks.add(CompletableFuture.runAsync(() -> base64Part(src, from, to, out, at + from / 3 * 4), pool));
      }
    }
    return CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new));
  }

  private static void base64Part(byte[] src, int from, int to, byte[] out, int at) {
    var sink = new OutputStream() {
      int pos = at;

      @Override
      public void write(int b) {
        out[pos++] = (byte) b;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        System.arraycopy(b, off, out, pos, len);
        pos += len;
      }
    };
    try (OutputStream b64 = Base64.getEncoder().wrap(sink)) {
      b64.write(src, from, to - from);
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // an array never fails
    }
  }

  /** The whole body with {@code metricsJson} (a JSON object) as its {@code metrics}; no copy of the images. */
  Buffer body(String metricsJson) {
    byte[] m = metricsJson.getBytes(StandardCharsets.UTF_8);
    if (m.length + 1 > body.length - end) {
      throw new IllegalArgumentException("the metrics object is " + m.length + " bytes, more than the " + METRICS_ROOM + " kept for it");
    }
    System.arraycopy(m, 0, body, end, m.length);
    body[end + m.length] = '}';
    return Buffer.buffer(Unpooled.wrappedBuffer(body, 0, end + m.length + 1));
  }
}
