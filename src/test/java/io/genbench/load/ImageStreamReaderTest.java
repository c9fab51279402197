package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class ImageStreamReaderTest {
  private static ResponseReader read(String body) {
    ResponseReader r = new ResponseReader.Sse(ResponseReader.Sse.Kind.IMAGES);
    long t = 1_000;
    for (String event : body.split("(?<=\n\n)")) { // one event per arrival, each 1,000 ns later
      byte[] b = event.getBytes(StandardCharsets.UTF_8);
      r.feed(b, 0, b.length, t);
      t += 1_000;
    }
    r.end(t);
    return r;
  }

  @Test
  void theFirstPartialImageIsTheFirstChunkAndEachCompletedImageCounts() {
    ResponseReader r = read("event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"YQ==\"}\n\n"
        + "event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"Yg==\"}\n\n"
        + "event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"Yw==\"}\n\n");

    assertThat(r.malformed).isNull();
    assertThat(r.images).isEqualTo(1);
    assertThat(r.firstTokenNs).isEqualTo(1_000);
    assertThat(r.chunkTimes()).containsExactly(1_000, 2_000);
  }

  @Test
  void withoutPartialImagesTheCompletedImageIsTheFirst() {
    ResponseReader r = read("data: {\"type\":\"image_generation.completed\",\"b64_json\":\"Yw==\"}\n\n");

    assertThat(r.malformed).isNull();
    assertThat(r.images).isEqualTo(1);
    assertThat(r.firstTokenNs).isEqualTo(1_000);
  }

  @Test
  void aStreamThatNeverCompletesAnImageIsMalformed() {
    ResponseReader r = read("data: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"YQ==\"}\n\n");

    assertThat(r.malformed).contains("no image_generation.completed");
    assertThat(r.images).isZero();
  }

  @Test
  void anErrorEventIsMalformedAndSaysWhat() {
    ResponseReader r = read("data: {\"error\":{\"message\":\"content policy\"}}\n\n");

    assertThat(r.malformed).contains("error event").contains("content policy");
  }
}
