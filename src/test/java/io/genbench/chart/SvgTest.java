package io.genbench.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

final class SvgTest {
  private static final String HOSTILE = "<script>alert(1)</script> & \"q\" 'a' &lt;b&gt; \u0001\u0007";

  @Test
  void aLabelKeepsTheTextButNothingXmlCannotHold() {
    assertThat(Svg.label("a\u0000b\nc\u0085d")).isEqualTo("a b c d");
    assertThat(Svg.label(null)).isEqualTo("N/A");
    assertThat(Svg.label("x".repeat(100))).hasSize(Svg.MAX_LABEL + 1).endsWith("…");
    assertThat(Svg.label("\uD83D\uDE00 ok \uD800")).isEqualTo("\uD83D\uDE00 ok  ");
  }

  @Test
  void anAmpersandThatWouldStartAnEntityIsEscapedSoItShowsAsWritten() {
    assertThat(Svg.label("&lt;b&gt; & &amp;")).isEqualTo("&amp;lt;b&amp;gt; & &amp;amp;");
  }

  @Test
  void coordinatesAreWrittenShortAndPlain() {
    assertThat(Svg.fixed(365.76141357421875, 10)).isEqualTo("365.8");
    assertThat(Svg.fixed(-0.04, 10)).isEqualTo("0");
    assertThat(Svg.fixed(-1.25, 1000)).isEqualTo("-1.25");
    assertThat(Svg.fixed(0.0005, 1000)).isEqualTo("0.001");
    assertThat(Svg.fixed(1e-9, 1000)).isEqualTo("0");
    assertThat(Svg.fixed(12, 10)).isEqualTo("12");
    assertThat(Svg.fixed(Double.NaN, 10)).isEqualTo("0");
  }

  @Test
  void tickLabelsArePlainDecimalsWhateverTheLocale() {
    java.util.Locale saved = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);

      assertThat(Svg.TICKS.format(0.00002)).isEqualTo("0.00002");
      assertThat(Svg.TICKS.format(1.5)).isEqualTo("1.5");
      assertThat(Svg.TICKS.format(2000)).isEqualTo("2000");
      assertThat(Svg.TICKS.format(12345.5)).isEqualTo("12,345.5");
      assertThat(Svg.number(0.00005425)).isEqualTo("0.00005425");
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }

  @Test
  void hostileTextInTitleLegendAxisAndTooltipIsTextInWellFormedSvg() throws Exception {
    XYSeries s = new XYSeries(Svg.label(HOSTILE));
    s.add(1, 2);
    s.add(2, 3);
    JFreeChart chart = Svg.styled(ChartFactory.createXYLineChart(Svg.label(HOSTILE), Svg.label(HOSTILE), "y",
        new XYSeriesCollection(s), PlotOrientation.VERTICAL, true, false, false));
    Svg.caption(chart, Svg.label(HOSTILE));
    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
    r.setDefaultToolTipGenerator((ds, series, item) -> HOSTILE);

    Chart drawn = Svg.render(chart, "hostile", "t", 400, 300);

    Document svg = parse(drawn.document());
    assertThat(svg.getElementsByTagNameNS("*", "script").getLength()).isZero();
    assertThat(svg.getElementsByTagNameNS("*", "title").getLength()).isEqualTo(2);
    String shown = "<script>alert(1)</script> & \"q\" 'a' &lt;b&gt;";
    assertThat(svg.getElementsByTagNameNS("*", "title").item(0).getTextContent()).startsWith(shown);
    assertThat(svg.getDocumentElement().getTextContent()).contains(shown);
    assertThat(drawn.svg()).doesNotContain("<script", "<b>");
  }

  @Test
  void theSameChartDrawsTheSameSvg() {
    assertThat(draw().svg()).isEqualTo(draw().svg());
  }

  @Test
  void aChartNameIsAFileStem() {
    assertThatThrownBy(() -> new Chart("../x", "t", "<svg/>")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new Chart("cost-1", "t", "<svg/>").file()).isEqualTo("charts/cost-1.svg");
  }

  private static Chart draw() {
    XYSeries s = new XYSeries("a");
    s.add(1, 2);
    return Svg.render(Svg.styled(ChartFactory.createXYLineChart("t", "x", "y", new XYSeriesCollection(s))), "same", "t", 300, 200);
  }

  /** Parses as XML: namespaces on, no DOCTYPE or external entity allowed. */
  static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }
}
