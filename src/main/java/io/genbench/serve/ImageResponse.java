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
 * array: every size is known before encoding (stored PNGs, {@link Png#size}), so each image is encoded as PNG and
 * base64 straight into its place, all images of a response at once on the encoding pool, and the array goes out as the
 * response's buffer without another copy. The {@code metrics} object, known only when the answer leaves, is written
 * into the space left at the end.
 */
final class ImageResponse {
  private static final byte[] ITEM_OPEN = "{\"b64_json\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ITEM_CLOSE = "\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] METRICS_OPEN = "],\"metrics\":".getBytes(StandardCharsets.US_ASCII);
  private static final int METRICS_ROOM = 1024;
  /** Each encoding thread's PNG buffer, grown to the largest image it has encoded. */
  private static final ThreadLocal<byte[]> PNG = ThreadLocal.withInitial(() -> new byte[0]);

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
      parts.add(CompletableFuture.runAsync(() -> {
        int written = encodeInto(im, body, start);
        System.arraycopy(ITEM_CLOSE, 0, body, start + written, ITEM_CLOSE.length);
      }, pool));
    }
    int metricsAt = (int) size;
    System.arraycopy(METRICS_OPEN, 0, body, metricsAt, METRICS_OPEN.length);
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> new ImageResponse(body, metricsAt + METRICS_OPEN.length));
  }

  static long base64Length(long bytes) {
    return 4 * ((bytes + 2) / 3);
  }

  /** PNG then base64 of {@code image} into {@code out} from {@code at}; returns the base64 characters written. */
  private static int encodeInto(ImageBackend.Image image, byte[] out, int at) {
    int size = (int) Png.size(image.width(), image.height());
    byte[] png = PNG.get();
    if (png.length < size) {
      png = new byte[size];
      PNG.set(png);
    }
    int n = Png.encode(image, png);
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
      b64.write(png, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // an array never fails
    }
    return sink.pos - at;
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
