package io.genbench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Server-sent events, parsed incrementally from bytes as they arrive (chunk boundaries anywhere, even inside a line
 * or a CRLF). Only {@code data:} fields matter to an inference stream: each event's data lines, joined by '\n', go to
 * the {@link Listener} when the blank line that ends the event arrives. Comments ({@code :}) and other fields are
 * skipped. No strings are made on the way: the listener gets the bytes.
 */
public final class SseParser {
  /** Receives one event's data: {@code bytes[offset, offset + length)}, valid only during the call. */
  @FunctionalInterface
  public interface Listener {
    void event(byte[] bytes, int offset, int length);
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private final Listener listener;
  private byte[] line = new byte[256];
  private int lineLength;
  private byte[] data = new byte[256];
  private int dataLength = -1; // -1: no data field in this event yet
  private boolean lastWasCr;
  private long events;

  public SseParser(Listener listener) {
    this.listener = listener;
  }

  /** Feeds {@code bytes[offset, offset + length)}. */
  public void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int start = offset;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      if (b == '\n' && lastWasCr) { // the LF of a CRLF, wherever the chunk boundary fell
        lastWasCr = false;
        start = i + 1;
        continue;
      }
      lastWasCr = false;
      if (b != '\n' && b != '\r') continue;
      line(bytes, start, i);
      lastWasCr = b == '\r';
      start = i + 1;
    }
    if (start < end) append(bytes, start, end - start);
  }

  /** Events delivered so far. */
  public long events() {
    return events;
  }

  private void line(byte[] bytes, int from, int to) {
    byte[] b;
    int off;
    int len;
    if (lineLength > 0) {
      append(bytes, from, to - from);
      b = line;
      off = 0;
      len = lineLength;
      lineLength = 0;
    } else {
      b = bytes;
      off = from;
      len = to - from;
    }
    if (len == 0) {
      dispatch();
      return;
    }
    if (b[off] == ':') return;
    int colon = -1;
    for (int i = off; i < off + len; i++) {
      if (b[i] == ':') {
        colon = i;
        break;
      }
    }
    int nameEnd = colon < 0 ? off + len : colon;
    if (nameEnd - off != DATA.length || !Arrays.equals(b, off, nameEnd, DATA, 0, DATA.length)) return;
    int valueStart = colon < 0 ? off + len : colon + 1;
    if (valueStart < off + len && b[valueStart] == ' ') valueStart++;
    int valueLength = off + len - valueStart;
    if (dataLength < 0) {
      dataLength = 0;
    } else {
      ensureData(dataLength + 1);
      data[dataLength++] = '\n';
    }
    ensureData(dataLength + valueLength);
    System.arraycopy(b, valueStart, data, dataLength, valueLength);
    dataLength += valueLength;
  }

  private void dispatch() {
    if (dataLength < 0) return;
    int n = dataLength;
    dataLength = -1;
    events++;
    listener.event(data, 0, n);
  }

  private void append(byte[] bytes, int from, int n) {
    if (lineLength + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    System.arraycopy(bytes, from, line, lineLength, n);
    lineLength += n;
  }

  private void ensureData(int n) {
    if (n > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, n));
  }
}
