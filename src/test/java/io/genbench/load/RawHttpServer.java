package io.genbench.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server on plain sockets for the engines' tests: it reads each request (head and content-length
 * body) and answers with whatever bytes the test scripts, so it can send what no well-behaved server sends (a broken
 * status line, a reset in the middle of a body, chunks with pauses between them). One thread per connection.
 */
final class RawHttpServer implements AutoCloseable {
  /** What to do with the n-th request (from 0) of the server: write {@code parts} (pausing {@code pauseMs} between them), then close or reset. */
  record Reply(List<byte[]> parts, long pauseMs, boolean close, boolean reset) {
    static Reply of(String whole) {
      return new Reply(List.of(whole.getBytes(StandardCharsets.UTF_8)), 0, false, false);
    }
  }

  interface Script {
    Reply reply(int n);
  }

  private final ServerSocket server;
  private final Script script;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  final List<String> heads = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  RawHttpServer(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "raw-http-accept");
    t.setDaemon(true);
    t.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "raw-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      s.setSoTimeout(30_000);
      while (true) {
        String head = readHead(in);
        if (head == null) return;
        heads.add(head);
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        in.readNBytes(length);
        Reply r = script.reply(requests.getAndIncrement());
        for (int i = 0; i < r.parts().size(); i++) {
          if (i > 0 && r.pauseMs() > 0) Thread.sleep(r.pauseMs());
          out.write(r.parts().get(i));
          out.flush();
        }
        if (r.reset()) {
          s.setSoLinger(true, 0); // close with a TCP reset
          return;
        }
        if (r.close()) return;
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the client went away or the test ended
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      byte[] a = b.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
        return new String(a, StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) s.close();
  }
}
