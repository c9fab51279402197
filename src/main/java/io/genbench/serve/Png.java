package io.genbench.serve;

import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * PNG encoding of backend images without compression: 8-bit RGB, every row with filter 0, the zlib stream made of
 * stored deflate blocks, written here directly (one pass of copies plus the CRC-32 and Adler-32 the JDK computes with
 * CPU intrinsics). The result is a valid PNG of about the raw size; any decoder reads it.
 *
 * <p>Why not a library: ImageIO took 95 ms for a 768x768 image on the 2-core VM with its default deflate and
 * filtering, 25 ms with stored blocks (it still runs its filter and deflater machinery); PNGJ ({@code ar.com.hjg:pngj},
 * last released 2015) is unmaintained. This writer takes about 1 ms for the same image (bench figures in the report of
 * issue 20); random-weight images are noise, which deflate does not shrink anyway.
 */
final class Png {
  private Png() {}

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** Largest payload of one stored deflate block. */
  private static final int BLOCK = 65535;

  /** The encoded size of a {@code width × height} RGB image, exactly. */
  static long size(int width, int height) {
    long raw = (long) height * (3L * width + 1);
    long blocks = Math.max(1, (raw + BLOCK - 1) / BLOCK);
    long idat = 2 + raw + 5 * blocks + 4;
    return SIGNATURE.length + (12 + 13) + (12 + idat) + 12;
  }

  static byte[] encode(ImageBackend.Image image) {
    long size = size(image.width(), image.height());
    if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("image too large for one PNG: " + image.width() + "x" + image.height());
    byte[] out = new byte[(int) size];
    int n = encode(image, out);
    if (n != out.length) throw new IllegalStateException("PNG size " + n + " != computed " + out.length);
    return out;
  }

  /** Writes the PNG of {@code image} at the start of {@code out} (at least {@link #size} bytes); returns its length. */
  static int encode(ImageBackend.Image image, byte[] out) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.rgb();
    int rowBytes = 3 * w;
    if (w < 1 || h < 1 || rgb.length != (long) rowBytes * h) {
      throw new IllegalArgumentException("image " + w + "x" + h + " needs " + (long) rowBytes * h + " RGB bytes, has " + rgb.length);
    }
    int p = 0;
    System.arraycopy(SIGNATURE, 0, out, 0, SIGNATURE.length);
    p += SIGNATURE.length;
    CRC32 crc = new CRC32();

    // IHDR: width, height, bit depth 8, colour type 2 (RGB), compression 0, filter 0, interlace 0
    int start = p;
    p = putInt(out, p, 13);
    p = putAscii(out, p, "IHDR");
    p = putInt(out, p, w);
    p = putInt(out, p, h);
    out[p++] = 8;
    out[p++] = 2;
    out[p++] = 0;
    out[p++] = 0;
    out[p++] = 0;
    p = endChunk(out, start, p, crc);

    // IDAT: zlib header (no compression), stored blocks of the filtered rows, Adler-32 of the rows
    long raw = (long) h * (rowBytes + 1);
    long blocks = Math.max(1, (raw + BLOCK - 1) / BLOCK);
    start = p;
    p = putInt(out, p, (int) (2 + raw + 5 * blocks + 4));
    p = putAscii(out, p, "IDAT");
    out[p++] = 0x78;
    out[p++] = 0x01;
    Adler32 adler = new Adler32();
    long left = raw;
    int row = 0;
    int inRow = -1;  // -1: the row's filter byte is next; else bytes of the row written so far
    while (left > 0) {
      int len = (int) Math.min(BLOCK, left);
      left -= len;
      out[p++] = (byte) (left == 0 ? 1 : 0);
      out[p++] = (byte) len;
      out[p++] = (byte) (len >>> 8);
      out[p++] = (byte) ~len;
      out[p++] = (byte) (~len >>> 8);
      int blockStart = p;
      int want = len;
      while (want > 0) {
        if (inRow < 0) {
          out[p++] = 0;  // filter type None
          inRow = 0;
          want--;
          continue;
        }
        int take = Math.min(want, rowBytes - inRow);
        System.arraycopy(rgb, row * rowBytes + inRow, out, p, take);
        p += take;
        want -= take;
        inRow += take;
        if (inRow == rowBytes) {
          inRow = -1;
          row++;
        }
      }
      adler.update(out, blockStart, len);  // Adler-32 runs over the uncompressed rows: exactly the stored payloads
    }
    p = putInt(out, p, (int) adler.getValue());
    p = endChunk(out, start, p, crc);

    start = p;
    p = putInt(out, p, 0);
    p = putAscii(out, p, "IEND");
    return endChunk(out, start, p, crc);
  }

  /** Appends the CRC of the chunk that starts (length field) at {@code start}: over its type and data. */
  private static int endChunk(byte[] out, int start, int p, CRC32 crc) {
    crc.reset();
    crc.update(out, start + 4, p - start - 4);
    return putInt(out, p, (int) crc.getValue());
  }

  private static int putInt(byte[] out, int p, int v) {
    out[p] = (byte) (v >>> 24);
    out[p + 1] = (byte) (v >>> 16);
    out[p + 2] = (byte) (v >>> 8);
    out[p + 3] = (byte) v;
    return p + 4;
  }

  private static int putAscii(byte[] out, int p, String s) {
    for (int i = 0; i < s.length(); i++) out[p + i] = (byte) s.charAt(i);
    return p + s.length();
  }
}
