package io.genbench.cost;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A loopback server answering as EC2 (query protocol, XML) and the Pricing API (JSON 1.1) do, for the price tests:
 * scripted replies first, then the default ones. Never reaches anything but 127.0.0.1.
 */
public final class FakeAws implements AutoCloseable {
  public record Reply(int status, String contentType, String body) {
    /** Never answers: the caller's timeout must end the call. */
    static final Reply HANG = new Reply(0, null, null);
  }

  public final Deque<Reply> ec2Replies = new ArrayDeque<>();
  public final Deque<Reply> pricingReplies = new ArrayDeque<>();
  public final List<Map<String, String>> ec2Requests = Collections.synchronizedList(new ArrayList<>());
  final List<String> pricingRequests = Collections.synchronizedList(new ArrayList<>());
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch released = new CountDownLatch(1);

  public FakeAws() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Test credentials and this server as both endpoints; short timeouts (3 s: the SDK's first call in a JVM is slow on a loaded machine); {@code attempts} tries per call. */
  AwsPriceSource.Config config(int attempts) {
    return new AwsPriceSource.Config(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
        endpoint(), endpoint(), Duration.ofSeconds(3), Duration.ofSeconds(20), attempts);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
    Reply reply;
    if (target != null) {
      pricingRequests.add(body);
      synchronized (this) {
        reply = pricingReplies.isEmpty() ? pricing(body) : pricingReplies.poll();
      }
    } else {
      Map<String, String> form = form(body);
      ec2Requests.add(form);
      synchronized (this) {
        reply = ec2Replies.isEmpty() ? spotPage(form.get("NextToken")) : ec2Replies.poll();
      }
    }
    if (reply == Reply.HANG) {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
      return;
    }
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", reply.contentType());
    ex.getResponseHeaders().set("x-amzn-RequestId", "test-request");
    ex.sendResponseHeaders(reply.status(), bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static Map<String, String> form(String body) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  /** Two pages of g5.xlarge spot prices in us-west-2: a and b on the first, c and an older a on the second. */
  static Reply spotPage(String nextToken) {
    if (nextToken == null) {
      return ec2("""
          <spotPriceHistorySet>
            <item><instanceType>g5.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>0.301000</spotPrice><timestamp>2026-11-30T10:00:00.000Z</timestamp><availabilityZone>us-west-2a</availabilityZone></item>
            <item><instanceType>g5.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>0.352000</spotPrice><timestamp>2026-11-30T09:00:00.000Z</timestamp><availabilityZone>us-west-2b</availabilityZone></item>
          </spotPriceHistorySet>
          <nextToken>page-2</nextToken>""");
    }
    return ec2("""
        <spotPriceHistorySet>
          <item><instanceType>g5.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>0.290000</spotPrice><timestamp>2026-11-30T08:00:00.000Z</timestamp><availabilityZone>us-west-2c</availabilityZone></item>
          <item><instanceType>g5.xlarge</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>0.999000</spotPrice><timestamp>2026-11-29T08:00:00.000Z</timestamp><availabilityZone>us-west-2a</availabilityZone></item>
        </spotPriceHistorySet>""");
  }

  static Reply ec2(String inner) {
    return new Reply(200, "text/xml;charset=UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<DescribeSpotPriceHistoryResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r1</requestId>"
        + inner + "</DescribeSpotPriceHistoryResponse>");
  }

  public static Reply ec2Error(int status, String code) {
    return new Reply(status, "text/xml;charset=UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
        + code + "</Code><Message>" + code + " from the fake</Message></Error></Errors><RequestID>r1</RequestID></Response>");
  }

  static Reply pricingError(int status, String type) {
    return new Reply(status, "application/x-amz-json-1.1", "{\"__type\":\"com.amazonaws.awspricelistservice#" + type
        + "\",\"Message\":\"" + type + " from the fake\"}");
  }

  /** One on-demand product of the requested type at 1.006 USD/h (a Windows one first, which must be skipped). */
  static Reply pricing(String body) {
    String product = """
        {"product":{"productFamily":"Compute Instance","attributes":{"instanceType":"g5.xlarge","operation":"RunInstances","operatingSystem":"Linux","tenancy":"Shared","preInstalledSw":"NA","capacitystatus":"Used","location":"US West (Oregon)","gpu":"1","vcpu":"4"},"sku":"SKU1"},
         "serviceCode":"AmazonEC2","terms":{"OnDemand":{"SKU1.JRTCKXETXF":{"priceDimensions":{"SKU1.JRTCKXETXF.6YS6EN2CT7":{"unit":"Hrs","pricePerUnit":{"USD":"1.0060000000"},"description":"$1.006 per On Demand Linux g5.xlarge Instance Hour"}},"sku":"SKU1","offerTermCode":"JRTCKXETXF"}}},"version":"20261101","publicationDate":"2026-11-01T00:00:00Z"}""";
    String windows = product.replace("\"operation\":\"RunInstances\"", "\"operation\":\"RunInstances:0002\"").replace("1.0060000000", "1.1900000000");
    String list = "[" + quote(windows) + "," + quote(product) + "]";
    return new Reply(200, "application/x-amz-json-1.1", "{\"FormatVersion\":\"aws_v1\",\"PriceList\":" + list + "}");
  }

  private static String quote(String json) {
    return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "") + "\"";
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
