package io.genbench.execute;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class BoundedLinesTest {
  private static List<BoundedLines.Line> all(InputStream in, int limit) throws Exception {
    var r = new BoundedLines(in, limit);
    List<BoundedLines.Line> out = new ArrayList<>();
    for (BoundedLines.Line l; (l = r.next()) != null; ) out.add(l);
    return out;
  }

  private static InputStream of(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void linesEndAtNewlinesAndTheLastNeedsNone() throws Exception {
    assertThat(all(of("a\r\n\nb\nc"), 100)).extracting(BoundedLines.Line::text).containsExactly("a", "", "b", "c");
    assertThat(all(of(""), 100)).isEmpty();
  }

  @Test
  void aLineLongerThanTheLimitKeepsItsStartAndCountsWhatWasDropped() throws Exception {
    // 5 MB without a newline, then a short line: the reader holds 1 KiB of it, never 5 MB
    InputStream big = new InputStream() {
      long left = 5_000_000;

      @Override
      public int read() {
        return left-- > 0 ? 'x' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) return -1;
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
        left -= n;
        return n;
      }
    };

    var lines = all(new SequenceInputStream(big, of("\nnext\n")), 1024);

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).text()).hasSize(1024);
    assertThat(lines.get(0).cutBytes()).isEqualTo(5_000_000 - 1024);
    assertThat(lines.get(0).marked(100)).isEqualTo("x".repeat(100) + "…[cut " + (5_000_000 - 100) + " bytes]");
    assertThat(lines.get(1).text()).isEqualTo("next");
    assertThat(lines.get(1).cut()).isFalse();
  }
}
