package io.genbench.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A loopback client for the server under test; every call is bounded in time. */
final class Http {
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
  private final String base;

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET();
    if (headers.length > 0) b.headers(headers);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> getBytes(String url) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  CompletableFuture<HttpResponse<byte[]>> getBytesAsync(String url) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
    return postAsync(path, body, headers).join();
  }

  CompletableFuture<HttpResponse<String>> postAsync(String path, String body, String... headers) {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
