package io.genbench.env;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads where this host runs from the EC2 instance-metadata service, IMDSv2 only: a session token is PUT first, then
 * {@code instance-type}, {@code placement/availability-zone} and {@code instance-life-cycle} are read with it. Short
 * timeouts, no retries: off EC2 nothing answers and the run goes on. Asked only with the user's consent
 * ({@code --detect-instance}).
 */
public final class InstanceMetadata {
  /** The link-local address of the service on every EC2 instance. */
  public static final URI DEFAULT = URI.create("http://169.254.169.254");

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  public InstanceMetadata(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
        .proxy(java.net.ProxySelector.of(null)).build();
  }

  /** Where this instance runs, or empty when no metadata service answered (not EC2, IMDS off, a hop limit of 1). */
  public Optional<Placement> detect() {
    try {
      HttpResponse<String> token = http.send(HttpRequest.newBuilder(base.resolve("/latest/api/token")).timeout(timeout)
          .header("X-aws-ec2-metadata-token-ttl-seconds", "60").PUT(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (token.statusCode() != 200 || token.body().isBlank()) return Optional.empty();
      String type = read("instance-type", token.body());
      if (type == null) return Optional.empty();
      return Optional.of(new Placement(type, Placement.lifecycle(read("instance-life-cycle", token.body())),
          read("placement/availability-zone", token.body()), "imds"));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private String read(String path, String token) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/latest/meta-data/" + path)).timeout(timeout)
        .header("X-aws-ec2-metadata-token", token).GET().build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 && !r.body().isBlank() ? r.body().trim() : null;
  }
}
