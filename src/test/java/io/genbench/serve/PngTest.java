package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {
  @Test
  void anEncodedImageDecodesToTheSamePixels() throws Exception {
    roundTrip(64, 32);
  }

  @Test
  void imagesWhoseRowsSpanSeveralStoredBlocksDecodeToTheSamePixels() throws Exception {
    roundTrip(300, 200);  // 180,200 bytes of rows: three blocks, rows cut across block boundaries
    roundTrip(21845, 2);  // a row of exactly 65,535 bytes with its filter byte: one block ends inside a row
    roundTrip(1, 1);
  }

  @Test
  void aResponseBase64EncodedInPartsIsTheBase64OfThePng() throws Exception {
    byte[] rgb = new byte[3 * 300 * 200];
    new java.util.Random(7).nextBytes(rgb);
    var image = new ImageBackend.Image(300, 200, rgb);  // 180,800 PNG bytes: more than one part
    var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      assertThat(Png.size(300, 200)).isGreaterThan(ImageResponse.B64_CHUNK_MIN);
      var body = ImageResponse.encode(java.util.List.of(image, new ImageBackend.Image(1, 1, new byte[] {1, 2, 3})), pool)
          .get(30, java.util.concurrent.TimeUnit.SECONDS).body("{}");

      var data = io.genbench.Json.MAPPER.readTree(body.toString(java.nio.charset.StandardCharsets.US_ASCII)).path("data");
      assertThat(java.util.Base64.getDecoder().decode(data.get(0).path("b64_json").asText())).isEqualTo(Png.encode(image));
      assertThat(data.get(1).path("b64_json").asText()).isEqualTo(java.util.Base64.getEncoder().encodeToString(
          Png.encode(new ImageBackend.Image(1, 1, new byte[] {1, 2, 3}))));
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void base64InPartsIsTheBase64OfTheWholeWhateverTheLengthAndParts() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      for (int length : new int[] {1, 2, 3, 10, 1000, 1001, 1002}) {
        byte[] src = new byte[length];
        new java.util.Random(length).nextBytes(src);
        String expected = java.util.Base64.getEncoder().encodeToString(src);
        for (int parts : new int[] {1, 2, 4, 7}) {
          byte[] out = new byte[expected.length() + 10];
          ImageResponse.base64Into(src, out, 5, pool, parts).get(30, java.util.concurrent.TimeUnit.SECONDS);
          assertThat(new String(out, 5, expected.length(), java.nio.charset.StandardCharsets.US_ASCII)).as(length + " bytes in " + parts + " parts").isEqualTo(expected);
          assertThat(out[4]).isZero();
          assertThat(out[5 + expected.length()]).isZero();
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void theSizeIsKnownBeforeEncoding() {
    for (int[] wh : new int[][] {{1, 1}, {64, 32}, {768, 768}, {21845, 3}}) {
      byte[] png = Png.encode(new ImageBackend.Image(wh[0], wh[1], new byte[3 * wh[0] * wh[1]]));
      assertThat(png).hasSize((int) Png.size(wh[0], wh[1]));
    }
  }

  @Test
  void pixelsThatDoNotMatchTheSizeAreRefused() {
    assertThatThrownBy(() -> Png.encode(new ImageBackend.Image(4, 4, new byte[47])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4x4 needs 48 RGB bytes, has 47");
  }

  private static void roundTrip(int w, int h) throws Exception {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 37 + i / 3);

    byte[] png = Png.encode(new ImageBackend.Image(w, h, rgb));

    BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(back).as("ImageIO decodes %dx%d", w, h).isNotNull();
    assertThat(back.getWidth()).isEqualTo(w);
    assertThat(back.getHeight()).isEqualTo(h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        int expected = ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
        assertThat(back.getRGB(x, y) & 0xffffff).as("pixel %d,%d of %dx%d", x, y, w, h).isEqualTo(expected);
      }
    }
  }
}
