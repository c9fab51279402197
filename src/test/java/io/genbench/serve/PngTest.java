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
