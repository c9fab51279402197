package io.genbench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;

/**
 * A loopback HTTP/1.1 server with a known service time, for bench/load-known-service: every request (any path) is
 * answered {@code serviceMs} after the server started on it, one request at a time (a request that arrives while another
 * is served waits for it), with {@code {"data":[{"b64_json":"aGVsbG8="}]}}, keep-alive. {@code POST /stall?ms=N} is
 * answered at once and makes the next request take N ms instead.
 *
 * <p>One thread polls its sockets without ever sleeping (it takes a whole core: pin it apart from the generator), so
 * the service time is exact to microseconds: a server that sleeps pays the machine's wake-up latency (on the 2-core VM,
 * the JDK's HttpServer answered 1.5-2 ms late after a 20 ms wait), and that error would be charged to the generator.
 * Usage: {@code KnownServiceServer SERVICE_MS}; prints its URL on stdout, then serves until killed.
 */
public final class KnownServiceServer {
  private static final byte[] RESPONSE = response("{\"data\":[{\"b64_json\":\"aGVsbG8=\"}]}");

  private record Pending(SocketChannel channel, boolean stall, long stallNs) {}

  public static void main(String[] args) throws IOException {
    long serviceNs = (long) (Double.parseDouble(args.length > 0 ? args[0] : "20") * 1_000_000);
    Selector selector = Selector.open();
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    System.out.println("http://127.0.0.1:" + server.socket().getLocalPort() + "/");
    System.out.flush();
    ArrayDeque<Pending> queue = new ArrayDeque<>();
    long nextStallNs = -1;
    Pending current = null;
    long due = 0;
    while (true) {
      selector.selectNow();
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        if (!key.isValid()) continue;
        if (key.isAcceptable()) {
          SocketChannel c = server.accept();
          if (c == null) continue;
          c.configureBlocking(false);
          c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
          c.register(selector, SelectionKey.OP_READ, new Reader());
        } else if (key.isReadable()) {
          SocketChannel c = (SocketChannel) key.channel();
          Reader reader = (Reader) key.attachment();
          try {
            if (c.read(reader.buf) < 0) {
              close(key);
              continue;
            }
          } catch (IOException e) {
            close(key);
            continue;
          }
          String target;
          while ((target = reader.next()) != null) {
            if (target.startsWith("/stall?ms=")) {
              queue.addFirst(new Pending(c, true, (long) (Double.parseDouble(target.substring(10)) * 1_000_000)));
            } else {
              queue.add(new Pending(c, false, 0));
            }
          }
        }
      }
      // control requests at once, then the one request in service, then the next
      while (!queue.isEmpty() && queue.peekFirst().stall()) {
        Pending p = queue.pollFirst();
        nextStallNs = p.stallNs();
        write(p.channel());
      }
      long now = System.nanoTime();
      if (current == null && !queue.isEmpty()) {
        current = queue.poll();
        due = now + (nextStallNs >= 0 ? nextStallNs : serviceNs);
        nextStallNs = -1;
      }
      if (current != null && now >= due) {
        write(current.channel());
        current = null;
      }
    }
  }

  private static void write(SocketChannel c) {
    ByteBuffer out = ByteBuffer.wrap(RESPONSE);
    try {
      while (out.hasRemaining()) c.write(out); // a few hundred bytes: the socket's buffer takes them at once
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  private static void close(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException ignored) {
      // closing a dead connection
    }
  }

  private static byte[] response(String body) {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    String head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + b.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + b.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    return all;
  }

  /** Splits one connection's bytes into requests: head up to a blank line, then content-length bytes of body. */
  private static final class Reader {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

    /** The next whole request's target (path and query), or null until one has fully arrived. */
    String next() {
      byte[] a = buf.array();
      int n = buf.position();
      int headEnd = -1;
      for (int i = 3; i < n; i++) {
        if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
          headEnd = i + 1;
          break;
        }
      }
      if (headEnd < 0) {
        if (n == a.length) buf = ByteBuffer.allocate(a.length * 2).put(a, 0, n);
        return null;
      }
      String head = new String(a, 0, headEnd, StandardCharsets.US_ASCII);
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
      }
      int total = headEnd + length;
      if (n < total) {
        if (total > a.length) buf = ByteBuffer.allocate(total).put(a, 0, n);
        return null;
      }
      String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
      System.arraycopy(a, total, a, 0, n - total);
      buf.position(n - total);
      return requestLine.length > 1 ? requestLine[1] : "/";
    }
  }
}
