package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {
  @Test
  void anEncodedImageDecodesToTheSamePixels() throws Exception {
    int w = 64;
    int h = 32;
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 37 + i / 3);

    byte[] png = Png.encode(new ImageBackend.Image(w, h, rgb));

    BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(back.getWidth()).isEqualTo(w);
    assertThat(back.getHeight()).isEqualTo(h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        int expected = ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
        assertThat(back.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(expected);
      }
    }
  }
}
