package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

final class SseParserTest {
  private static final String STREAM = ": keep-alive\r\n\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line1\ndata: line2\nid: 7\n\n"
      + "data:nospace\n\ndata: [DONE]\n\n";

  private static List<String> parse(String text, int... cuts) {
    List<String> events = new ArrayList<>();
    SseParser parser = new SseParser((b, off, len) -> events.add(new String(b, off, len, StandardCharsets.UTF_8)));
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    for (int cut : cuts) {
      int to = Math.min(bytes.length, Math.max(from, cut));
      parser.feed(bytes, from, to - from);
      from = to;
    }
    parser.feed(bytes, from, bytes.length - from);
    return events;
  }

  @Test
  void dataLinesOfAnEventAreJoinedAndCommentsAndOtherFieldsSkipped() {
    assertThat(parse(STREAM)).containsExactly("{\"a\":1}", "line1\nline2", "nospace", "[DONE]");
  }

  @Test
  void anEventWithoutItsBlankLineIsNotDelivered() {
    assertThat(parse("data: a\n\ndata: b\n")).containsExactly("a");
  }

  @Property(tries = 200)
  void chunkBoundariesAnywhereGiveTheSameEvents(@ForAll @IntRange(max = 90) int a, @ForAll @IntRange(max = 90) int b) {
    assertThat(parse(STREAM, Math.min(a, b), Math.max(a, b))).containsExactly("{\"a\":1}", "line1\nline2", "nospace", "[DONE]");
  }
}
