package io.genbench.serve;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * PNG encoding of backend images (ImageIO), without compression: the images are valid PNGs of about the raw size, and
 * encoding is the server's own time on every image. ImageIO's default (deflate with per-row adaptive filtering) took
 * 95 ms for a 768x768 image on the 2-core VM, stored blocks 25 ms, with outputs of the same size for the noise-like
 * images random weights make.
 */
final class Png {
  private Png() {}

  static byte[] encode(ImageBackend.Image image) {
    var img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.rgb();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    var out = new ByteArrayOutputStream(rgb.length / 2 + 1024);
    var writers = ImageIO.getImageWritersByFormatName("png");
    if (!writers.hasNext()) throw new IllegalStateException("ImageIO has no PNG writer");
    ImageWriter writer = writers.next();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(1.0f); // deflate level 0 (stored), and no filtering pass
      writer.setOutput(stream);
      writer.write(null, new IIOImage(img, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
