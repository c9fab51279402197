package io.genbench.chart;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * The font every chart is measured with on Linux: DejaVu Sans, regular and bold, bundled in the jar (its licence beside
 * it in {@code io/genbench/chart/fonts/}).
 *
 * <p>Why not the system's: the JDK asks fontconfig for the physical fonts behind its logical ones ({@code SansSerif})
 * when AWT first needs a font, and on a machine without fonts (many GPU servers and containers) that fails for every
 * font, one made by {@code Font.createFont} included, with "Fontconfig head is null". The JDK skips fontconfig when
 * given a font configuration file of its own ({@code sun.awt.fontconfig}), so {@link #install} copies the fonts to a
 * temporary directory and writes one that maps every logical font to them. The same metrics on every machine also make
 * a run's charts the same wherever its report is built. The logical names stay, so the SVG still says
 * {@code sans-serif} and a browser shows its own sans-serif font.
 */
final class BundledFont {
  /** The JDK's system property naming its font configuration file, read once, when AWT first needs a font. */
  static final String PROPERTY = "sun.awt.fontconfig";

  private static final String REGULAR = "DejaVuSans.ttf";
  private static final String BOLD = "DejaVuSans-Bold.ttf";
  private static final String[] LOGICAL = {"serif", "sansserif", "monospaced", "dialog", "dialoginput"};

  private static boolean tried;
  private static String failure;

  private BundledFont() {}

  /**
   * Points the JDK's logical fonts at the bundled ones, once, before AWT has loaded a font. Does nothing off Linux (the
   * JDK does not ask fontconfig there) or when {@code sun.awt.fontconfig} is already set (the user's choice). When the
   * fonts cannot be copied, {@link #failure()} says why and AWT asks fontconfig as before.
   */
  static synchronized void install() {
    if (tried) return;
    tried = true;
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") || System.getProperty(PROPERTY) != null) return;
    try {
      Path dir = Files.createTempDirectory("genbench-fonts-");
      dir.toFile().deleteOnExit(); // deleted last: files registered later are deleted first
      Path regular = copy(REGULAR, dir);
      Path bold = copy(BOLD, dir);
      Path config = dir.resolve("fontconfig.properties");
      config.toFile().deleteOnExit();
      try (Writer w = Files.newBufferedWriter(config)) {
        configuration(regular, bold).store(w, "genbench charts: every logical font is DejaVu Sans, bundled in the jar");
      }
      System.setProperty(PROPERTY, config.toString());
    } catch (IOException | RuntimeException e) {
      failure = "the bundled font could not be copied to a temporary directory: " + e;
    }
  }

  /** Why {@link #install} could not set up the bundled font, or null when it did or did not need to. */
  static synchronized String failure() {
    return failure;
  }

  /** A JDK font configuration ({@code fontconfig.properties} format, version 1) naming only the two bundled files. */
  static Properties configuration(Path regular, Path bold) {
    Properties p = new Properties();
    p.setProperty("version", "1");
    for (String logical : LOGICAL) {
      p.setProperty(logical + ".plain.latin-1", "DejaVu Sans");
      p.setProperty(logical + ".italic.latin-1", "DejaVu Sans");
      p.setProperty(logical + ".bold.latin-1", "DejaVu Sans Bold");
      p.setProperty(logical + ".bolditalic.latin-1", "DejaVu Sans Bold");
    }
    p.setProperty("sequence.allfonts", "latin-1");
    p.setProperty("filename.DejaVu_Sans", regular.toString());
    p.setProperty("filename.DejaVu_Sans_Bold", bold.toString());
    return p;
  }

  private static Path copy(String name, Path dir) throws IOException {
    Path to = dir.resolve(name);
    try (InputStream in = BundledFont.class.getResourceAsStream("fonts/" + name)) {
      if (in == null) throw new IOException("fonts/" + name + " is missing from the jar");
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    to.toFile().deleteOnExit();
    return to;
  }
}
