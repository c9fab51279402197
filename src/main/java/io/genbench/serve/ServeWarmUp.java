package io.genbench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * serve's warm-up (Triton's {@code model_warmup}, for the JVM): before /ready says ready, requests of the smallest
 * size a model takes and one step go one at a time through this server's whole path — HTTP, the batcher, the backend,
 * the PNG/base64 answer and, every other request, a {@code url} answer and the GET of its PNG — so HotSpot has compiled
 * that path before a client's first request: first {@link #IN_JVM_REQUESTS} against images made in the JVM
 * ({@link InJvm}: the JVM's own path, in a second or two), then {@code --warmup-requests} through the model (the
 * backend's own code: the worker's pipe and pixel files). A fresh JVM runs that path in the interpreter: on a 2-core VM
 * the server's time after a batch's compute was 3.1 ms for the first 30 requests and 1.2 ms after 600
 * (bench/serve_trace.py). The requests carry {@link #HEADER} with the server's own random token, so they count in no
 * metric a client scrapes. A failed warm-up request ends that part of the warm-up with a warning; serving goes on.
 */
final class ServeWarmUp {
  /** The header a warm-up request carries, with the server's token. */
  static final String HEADER = "X-Genbench-Warmup";
  /**
   * Requests first sent against {@link InJvm}, for the JVM's own path: the server's time around a batch fell from
   * 0.65 to 0.10 ms (writing the answer) and 0.19 to 0.035 ms (making it) between a fresh JVM's first 100 requests and
   * its 1,000th to 1,500th (embedded model, 2-core VM), more than a model's warm-up requests can give in seconds.
   */
  static final int IN_JVM_REQUESTS = 2000;

  private final String base;
  private final String token;
  private final String apiKey;
  private final int side;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  ServeWarmUp(String base, String token, String apiKey, int sizeMultiple) {
    this.base = base;
    this.token = token;
    this.apiKey = apiKey;
    this.side = smallestSide(sizeMultiple);
  }

  /** The smallest square side a warm-up request asks for: 64 px, rounded up to the model's multiple. */
  static int smallestSide(int multiple) {
    return Math.max(multiple, (64 + multiple - 1) / multiple * multiple);
  }

  /**
   * Sends {@code n} requests one after another and says on stderr how many were answered 200 (all of them, or why
   * not). {@code through} says what they run through, for the log line.
   */
  void run(int n, String through) {
    long t0 = System.nanoTime();
    int ok = 0;
    try {
      for (int i = 0; i < n; i++) {
        boolean url = i % 2 == 1;
        String body = String.format(Locale.ROOT, "{\"prompt\":\"warm-up %d\",\"size\":\"%dx%d\",\"steps\":1,\"seed\":%d,\"response_format\":\"%s\"}",
            i, side, side, i, url ? "url" : "b64_json");
        HttpResponse<String> r = client.send(request(base + ImageServer.IMAGES).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + WorkerProcess.abbreviate(r.body()));
        if (url) {
          JsonNode answer = Json.MAPPER.readTree(r.body());
          String path = URI.create(answer.path("data").path(0).path("url").asText()).getPath();
          HttpResponse<byte[]> png = client.send(request(base + path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
          if (png.statusCode() != 200) throw new IOException("GET " + path + ": HTTP " + png.statusCode());
        }
        ok++;
      }
      System.err.printf(Locale.ROOT, "genbench serve: warm-up: %d requests (%dx%d, 1 step) through %s in %.1f s%n", ok, side, side, through,
          (System.nanoTime() - t0) / 1e9);
    } catch (IOException | RuntimeException e) {
      System.err.println("genbench serve: WARNING: the warm-up through " + through + " stopped after " + ok + " of " + n + " requests (" + e.getMessage()
          + "); serving anyway, the first requests' serving times include the JIT's warm-up.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Images made in the JVM at once (mid-grey), for the warm-up of the JVM's own path: no model is run. */
  static final class InJvm implements ImageBackend {
    private final int sizeMultiple;

    InJvm(int sizeMultiple) {
      this.sizeMultiple = sizeMultiple;
    }

    @Override
    public String name() {
      return "warm-up";
    }

    @Override
    public String builtModel() {
      return "warm-up";
    }

    @Override
    public int sizeMultiple() {
      return sizeMultiple;
    }

    @Override
    public java.util.List<Image> generate(ImageBatch batch) {
      int w = batch.shape().size().width();
      int h = batch.shape().size().height();
      java.util.List<Image> images = new java.util.ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        byte[] rgb = new byte[3 * w * h];
        java.util.Arrays.fill(rgb, (byte) 128);
        images.add(new Image(w, h, rgb));
      }
      return images;
    }

    @Override
    public void close() {}
  }

  private HttpRequest.Builder request(String uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(5)).header(HEADER, token)
        .header("Content-Type", "application/json");
    return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
  }
}
