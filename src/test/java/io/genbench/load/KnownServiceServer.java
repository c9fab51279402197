package io.genbench.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback HTTP server with a known service time, for bench/load-known-service: every request (any path) is
 * answered {@code serviceMs} after its body was read, one request at a time (one handler thread, so a second request
 * waits for the first), with {@code {"data":[{"b64_json":"aGVsbG8="}]}}. {@code POST /stall?ms=N} makes the next
 * request take N ms instead (answered at once itself). The wait parks until 200 µs before the end and spins the rest,
 * so the service time is exact to tens of microseconds on a quiet machine.
 * Usage: {@code KnownServiceServer SERVICE_MS}; prints its URL on stdout, then serves until killed.
 */
public final class KnownServiceServer {
  private static final byte[] BODY = "{\"data\":[{\"b64_json\":\"aGVsbG8=\"}]}".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws IOException {
    long serviceNs = (long) (Double.parseDouble(args.length > 0 ? args[0] : "20") * 1_000_000);
    AtomicLong nextStallNs = new AtomicLong(-1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    server.setExecutor(Executors.newSingleThreadExecutor()); // one request at a time
    server.createContext("/", ex -> {
      long start = System.nanoTime();
      drain(ex);
      String query = ex.getRequestURI().getRawQuery();
      if (ex.getRequestURI().getPath().equals("/stall") && query != null && query.startsWith("ms=")) {
        nextStallNs.set((long) (Double.parseDouble(query.substring(3)) * 1_000_000));
        reply(ex);
        return;
      }
      long stall = nextStallNs.getAndSet(-1);
      long due = start + (stall >= 0 ? stall : serviceNs);
      long wait;
      while ((wait = due - System.nanoTime()) > 200_000) LockSupport.parkNanos(wait - 200_000);
      while (System.nanoTime() < due) Thread.onSpinWait();
      reply(ex);
    });
    server.start();
    System.out.println("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    System.out.flush();
  }

  private static void drain(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  private static void reply(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().add("content-type", "application/json");
    ex.sendResponseHeaders(200, BODY.length);
    try (var out = ex.getResponseBody()) {
      out.write(BODY);
    }
  }
}
