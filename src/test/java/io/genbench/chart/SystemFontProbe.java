package io.genbench.chart;

import java.awt.Font;
import java.awt.image.BufferedImage;

/**
 * Measures a string in the logical SansSerif font as plain AWT does, without genbench's bundled font: the control of
 * {@code io.genbench.report.ChartsWithoutFontsTest}, run in a JVM without fonts. Prints the width; throws (exit 1) when
 * AWT cannot measure text.
 */
final class SystemFontProbe {
  private SystemFontProbe() {}

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    var g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    System.out.println(g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12)).stringWidth("0.5 ms"));
  }
}
