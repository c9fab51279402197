package io.genbench.execute;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a worker's output (a process's stdout or stderr, a pod's log), each kept to at most {@code limit}
 * bytes: the rest of a longer line is read and dropped, and how much was dropped is told with the line. A worker that
 * writes 400 MB without a newline costs this reader {@code limit} bytes, not 400 MB, and the run directory a marked
 * line. Lines end at {@code \n}; a {@code \r} before it is dropped. Bytes are UTF-8; a character cut in half becomes
 * U+FFFD.
 */
public final class BoundedLines {
  /** The most kept of one line of worker stdout or of a pod log: an event line longer than this is not read as one. */
  public static final int EVENT_LINE_BYTES = 1 << 20;
  /** The most kept of one line of a worker's log (stderr, or free text on stdout) in worker.log. */
  public static final int LOG_LINE_BYTES = 64 << 10;

  /** One line: its kept text, and how many bytes of it were dropped (0 for a whole line). */
  public record Line(String text, long cutBytes) {
    public boolean cut() {
      return cutBytes > 0;
    }

    /** The text, at most {@code maxBytes} of it (UTF-8), followed by {@code …[cut N bytes]} when anything was dropped. */
    public String marked(int maxBytes) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      long cut = cutBytes;
      String kept = text;
      if (bytes.length > maxBytes) {
        kept = new String(bytes, 0, maxBytes, StandardCharsets.UTF_8);
        cut += bytes.length - maxBytes;
      }
      return cut == 0 ? kept : kept + "…[cut " + cut + " bytes]";
    }
  }

  private final InputStream in;
  private final int limit;
  private final byte[] buf = new byte[64 << 10];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private int pos;
  private int end;

  public BoundedLines(InputStream in, int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    this.in = in;
    this.limit = limit;
  }

  /** The next line, or null at the end of the stream. */
  public Line next() throws IOException {
    line.reset();
    long dropped = 0;
    boolean any = false;
    while (true) {
      if (pos == end) {
        int n = in.read(buf);
        if (n < 0) return any ? finish(dropped) : null;
        pos = 0;
        end = n;
        if (n == 0) continue;
      }
      any = true;
      int nl = pos;
      while (nl < end && buf[nl] != '\n') nl++;
      int take = Math.min(limit - line.size(), nl - pos);
      line.write(buf, pos, take);
      dropped += (nl - pos) - take;
      if (nl < end) {
        pos = nl + 1;
        return finish(dropped);
      }
      pos = end;
    }
  }

  private Line finish(long dropped) {
    byte[] bytes = line.toByteArray();
    int n = bytes.length;
    if (dropped == 0 && n > 0 && bytes[n - 1] == '\r') n--;
    return new Line(new String(bytes, 0, n, StandardCharsets.UTF_8), dropped);
  }
}
