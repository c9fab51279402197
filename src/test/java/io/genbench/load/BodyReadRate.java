package io.genbench.load;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;

/**
 * bench/body-read: what the load engine's client spends per whole JSON answer ({@link ResponseReader.Whole}: the body
 * gathered, then checked), on one thread, for OpenAI image answers with {@code b64_json} PNGs of a 768² image's size
 * (2.36 MB of base64 each, random bytes so nothing compresses): one image, and eight in one answer. The body is fed in
 * 8,192-byte pieces (Netty's HTTP decoder's default chunk), with and without the length announced first (a
 * {@code content-length} header, as {@code genbench serve} sends). Each row: warm-up, then repeats of about a second
 * each; the median time per answer and the range are printed. Usage: {@code BodyReadRate [WARMUP_S] [REPEATS]}
 * (defaults 3 and 5).
 */
public final class BodyReadRate {
  static final int IMAGE_BASE64 = 2_360_000;
  static final int PIECE = 8192;

  public static void main(String[] args) {
    double warmupS = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.printf(Locale.ROOT, "| answer | bytes | length announced | ms per answer (median of %d) | range |%n|---|---|---|---|---|%n", repeats);
    for (int images : new int[] {1, 8}) {
      byte[] body = imagesBody(images, IMAGE_BASE64, 7);
      for (boolean announced : new boolean[] {false, true}) {
        ResponseReader probe = read(body, announced);
        if (probe.malformed != null || probe.images != images) {
          throw new IllegalStateException("the answer did not read: " + probe.malformed + ", images " + probe.images);
        }
        row("openai-images, " + images + " b64_json", body.length, announced, warmupS, repeats, () -> read(body, announced).images);
      }
    }
    System.out.printf(Locale.ROOT, "%nOne thread; pieces of %,d bytes; JVM %s on %d CPUs.%n", PIECE, Runtime.version(),
        Runtime.getRuntime().availableProcessors());
  }

  /** An OpenAI images answer: {@code images} entries of {@code base64Chars} of base64 each, plus serve's metrics. */
  static byte[] imagesBody(int images, int base64Chars, long seed) {
    Random random = new Random(seed);
    StringBuilder b = new StringBuilder(images * (base64Chars + 32) + 128).append("{\"created\":1765000000,\"data\":[");
    for (int i = 0; i < images; i++) {
      byte[] raw = new byte[base64Chars / 4 * 3];
      random.nextBytes(raw);
      b.append(i == 0 ? "" : ",").append("{\"b64_json\":\"").append(Base64.getEncoder().encodeToString(raw)).append("\"}");
    }
    b.append("],\"metrics\":{\"queue_ms\":0.4,\"batch_size\":8,\"compute_ms\":712.5}}");
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static ResponseReader read(byte[] body, boolean announced) {
    ResponseReader r = new ResponseReader.Whole(ResponseReader.imagesCheck("b64_json"));
    if (announced) r.expect(body.length);
    long now = 0;
    for (int at = 0; at < body.length; at += PIECE) r.feed(body, at, Math.min(PIECE, body.length - at), ++now);
    r.end(++now);
    return r;
  }

  private static void row(String answer, int bytes, boolean announced, double warmupS, int repeats, TimingLoop.Pass pass) {
    double[] ms = TimingLoop.nsPerPass(warmupS, repeats, pass);
    for (int r = 0; r < repeats; r++) ms[r] /= 1e6;
    System.out.printf(Locale.ROOT, "| %s | %,d | %s | %.3f | %.3f – %.3f |%n", answer, bytes, announced ? "yes" : "no",
        ms[repeats / 2], ms[0], ms[repeats - 1]);
  }
}
