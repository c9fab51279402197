package io.genbench.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.Stroke;
import java.util.HashMap;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.entity.ChartEntity;
import org.jfree.chart.entity.StandardEntityCollection;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.jfree.svg.ViewBox;

/**
 * The look every genbench chart shares, and its SVG: white background, light grid, the Okabe–Ito palette (told apart
 * by people with colour-blind vision too), the logical {@code SansSerif} font (written as {@code sans-serif}; measured,
 * on Linux, in the DejaVu Sans the jar bundles: see {@link BundledFont}), and a tooltip ({@code <title>}) over every
 * data item that has one.
 *
 * <p>Escaping: JFreeSVG escapes every text it writes, except that it leaves an {@code &} alone when it already starts
 * {@code &lt;}, {@code &gt;}, {@code &amp;}, {@code &apos;} or {@code &quot;} (so a model named {@code &lt;b&gt;}
 * would show as {@code <b>}). Every user-supplied string a chart shows (titles, axis labels, legends, annotations,
 * tooltips) therefore goes through {@link #label}, which escapes that one case and drops what XML cannot hold.
 */
public final class Svg {
  static {
    // charts are drawn without a display; set before any AWT class loads
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    // the bundled font, so that a machine without fonts (no fontconfig setup) draws charts too
    BundledFont.install();
    // rotated text (a vertical axis label) as <text>, not as glyph outlines: smaller, and selectable in a browser
    TextUtils.setUseDrawRotatedStringWorkaround(false);
  }

  /** Okabe–Ito, less its yellow (too pale on white), then two greys. */
  public static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
      new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x444444), new Color(0x999999)};
  /** Verdict colours, as report.html colours its cells: VALID, HOST-BOUND, INVALID. */
  public static final Color GOOD = new Color(0x1D6B2F);
  public static final Color WARN = new Color(0xC98A00);
  public static final Color BAD = new Color(0xB3261E);
  public static final Color GRID = new Color(0xDDDDDD);
  public static final Color INK = new Color(0x222222);
  public static final Color MUTED = new Color(0x666666);
  /** A reference line (ideal scaling, a percentile marker): thin and dashed. */
  public static final Stroke DASHED = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f);
  public static final Stroke LINE = new BasicStroke(1.8f);

  /** Longest user-supplied string a chart shows; longer ones end in an ellipsis (a case id fits). */
  public static final int MAX_LABEL = 64;

  /** Longest tooltip. */
  public static final int MAX_TOOLTIP = 300;

  private static final String FONT = Font.SANS_SERIF;

  private Svg() {}

  /**
   * A user-supplied string made safe to show in a chart: control characters and unpaired surrogates (which XML cannot
   * hold) become spaces, an {@code &} that would start an entity JFreeSVG leaves alone is escaped here, and the text
   * is cut at {@link #MAX_LABEL} characters. {@code null} reads {@code N/A}.
   */
  public static String label(String s) {
    return label(s, MAX_LABEL);
  }

  /** {@link #label(String)} cut at {@code max} characters instead (tooltips). */
  public static String label(String s, int max) {
    if (s == null) return "N/A";
    StringBuilder out = new StringBuilder();
    int kept = 0;
    int i = 0;
    for (; i < s.length() && kept < max; i++, kept++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
        out.append(' ');
      } else if (c == '&' && startsEntity(s, i)) {
        out.append("&amp;");
      } else {
        out.append(c);
      }
    }
    if (i < s.length()) out.append('…');
    return out.toString();
  }

  private static boolean startsEntity(String s, int at) {
    for (String e : new String[] {"&lt;", "&gt;", "&amp;", "&apos;", "&quot;"}) if (s.startsWith(e, at)) return true;
    return false;
  }

  /**
   * Measures a string in the chart font, as drawing any chart does: throws when this JVM cannot (AWT without fonts).
   * {@link ChartRuntime#unavailable()} asks it once before any chart is drawn.
   */
  static void probe() {
    try {
      new SVGGraphics2D(10, 10).getFontMetrics(new Font(FONT, Font.PLAIN, 12)).stringWidth("0.5 ms");
    } catch (RuntimeException e) {
      String bundled = BundledFont.failure();
      if (bundled == null) throw e;
      throw new IllegalStateException(bundled + "; and without it: " + e.getMessage(), e);
    }
  }

  /** Applies the shared look to a chart just made by {@code ChartFactory}; call before adding series paints. */
  public static JFreeChart styled(JFreeChart chart) {
    StandardChartTheme theme = new StandardChartTheme("genbench", false);
    theme.setExtraLargeFont(new Font(FONT, Font.BOLD, 15));
    theme.setLargeFont(new Font(FONT, Font.PLAIN, 12)); // axis labels
    theme.setRegularFont(new Font(FONT, Font.PLAIN, 12));
    theme.setSmallFont(new Font(FONT, Font.PLAIN, 11));
    theme.setTitlePaint(INK);
    theme.setSubtitlePaint(MUTED);
    theme.setChartBackgroundPaint(Color.WHITE);
    theme.setLegendBackgroundPaint(Color.WHITE);
    theme.setLegendItemPaint(INK);
    theme.setPlotBackgroundPaint(Color.WHITE);
    theme.setPlotOutlinePaint(GRID);
    theme.setDomainGridlinePaint(GRID);
    theme.setRangeGridlinePaint(GRID);
    theme.setAxisLabelPaint(INK);
    theme.setTickLabelPaint(MUTED);
    theme.setItemLabelPaint(INK);
    theme.setBarPainter(new StandardBarPainter());
    theme.setXYBarPainter(new StandardXYBarPainter());
    theme.setShadowVisible(false);
    theme.setAxisOffset(new RectangleInsets(0, 0, 0, 0));
    theme.setDrawingSupplier(new DefaultDrawingSupplier(PALETTE, PALETTE, new Paint[] {Color.WHITE},
        DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE,
        DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE));
    theme.apply(chart);
    chart.setAntiAlias(true);
    chart.setPadding(new RectangleInsets(6, 6, 6, 10));
    chart.getTitle().setHorizontalAlignment(HorizontalAlignment.LEFT);
    chart.getTitle().setPadding(new RectangleInsets(2, 4, 2, 4));
    LegendTitle legend = chart.getLegend();
    if (legend != null) {
      legend.setFrame(BlockBorder.NONE);
      legend.setPosition(RectangleEdge.BOTTOM);
      legend.setItemFont(new Font(FONT, Font.PLAIN, 10));
    }
    return chart;
  }

  /** A line under the title saying how to read the chart (our own words; user strings go through {@link #label}). */
  public static void caption(JFreeChart chart, String text) {
    subtitle(chart, text, new Font(FONT, Font.PLAIN, 11), MUTED);
  }

  /** A line under the title naming what the chart is of (a case id, through {@link #label}). */
  public static void subject(JFreeChart chart, String text) {
    subtitle(chart, text, new Font(FONT, Font.PLAIN, 12), INK);
  }

  private static void subtitle(JFreeChart chart, String text, Font font, Color colour) {
    TextTitle t = new TextTitle(text, font);
    t.setTextAlignment(HorizontalAlignment.LEFT);
    t.setPaint(colour);
    t.setHorizontalAlignment(HorizontalAlignment.LEFT);
    t.setPadding(new RectangleInsets(0, 4, 4, 4));
    chart.addSubtitle(t);
  }

  /**
   * The chart as an SVG element of {@code width} × {@code height} px (with a viewBox, so it scales), its internal ids
   * prefixed by {@code name}, and a transparent shape with a {@code <title>} (a browser's tooltip) over every data
   * item whose renderer gave it a tooltip.
   */
  public static Chart render(JFreeChart chart, String name, String title, int width, int height) {
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    g.setDefsKeyPrefix("gb-" + name + "-");
    g.setGeomDoubleConverter(d -> fixed(d, 10));
    g.setTransformDoubleConverter(d -> fixed(d, 1000));
    ChartRenderingInfo info = new ChartRenderingInfo(new StandardEntityCollection());
    chart.draw(g, new Rectangle(0, 0, width, height), info);
    g.setPaint(new Color(0, 0, 0, 0));
    for (Object o : info.getEntityCollection().getEntities()) {
      ChartEntity e = (ChartEntity) o;
      String tip = e.getToolTipText();
      if (tip == null || tip.isEmpty()) continue;
      // a <title> titles its parent: one group per item, holding the title and the shape it covers
      g.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, new HashMap<String, String>());
      g.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, label(tip, MAX_TOOLTIP));
      Shape area = e.getArea();
      g.fill(area);
      g.setRenderingHint(SVGHints.KEY_END_GROUP, "");
    }
    String svg = g.getSVGElement(null, true, new ViewBox(0, 0, width, height), null, null);
    return new Chart(name, title, svg);
  }

  /** {@code d} rounded to 1/{@code scale} in plain notation without trailing zeros: SVG coordinates, compact. */
  static String fixed(double d, long scale) {
    if (!Double.isFinite(d)) return "0";
    long r = Math.round(d * scale);
    if (r == 0) return "0";
    String digits = Long.toString(Math.abs(r));
    int decimals = Long.toString(scale).length() - 1;
    if (digits.length() <= decimals) digits = "0".repeat(decimals - digits.length() + 1) + digits;
    String whole = digits.substring(0, digits.length() - decimals);
    String fraction = digits.substring(digits.length() - decimals).replaceFirst("0+$", "");
    return (r < 0 ? "-" : "") + whole + (fraction.isEmpty() ? "" : "." + fraction);
  }

  /**
   * Tick labels in any locale: plain notation (0.00002, never 2E-5, never a decimal comma), thousands grouped with
   * commas from 10,000 up.
   */
  public static final java.text.NumberFormat TICKS = new java.text.NumberFormat() {
    private final java.text.DecimalFormat grouped = new java.text.DecimalFormat("#,##0.##",
        java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));

    @Override
    public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
      if (!Double.isFinite(v)) return to.append(v);
      if (Math.abs(v) >= 10_000) return to.append(grouped.format(v));
      if (v == 0) return to.append('0');
      java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros();
      return to.append((d.scale() < 0 ? d.setScale(0) : d).toPlainString());
    }

    @Override
    public StringBuffer format(long v, StringBuffer to, java.text.FieldPosition pos) {
      return format((double) v, to, pos);
    }

    @Override
    public Number parse(String source, java.text.ParsePosition pos) {
      throw new UnsupportedOperationException("tick labels are only written");
    }
  };

  /** A number for a label or tooltip: up to 4 significant digits, no exponent for ordinary magnitudes. */
  public static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) return "N/A";
    if (v == 0) return "0";
    java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros();
    return (d.scale() < 0 ? d.setScale(0) : d).toPlainString();
  }
}
