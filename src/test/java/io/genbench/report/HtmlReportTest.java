package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class HtmlReportTest {

  @Test
  void rendersTheMarkdownReportAsOneSelfContainedPage() {
    String html = HtmlReport.render(ReportFixtures.twoSuccesses());

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>").doesNotContain("<script").doesNotContain("http")
        .contains("<h2>Cost analysis (1000 images)</h2>")
        .contains("<h3>Lowest spot cost: <code>sd-2-1-g5xlarge-b1-s20-float16</code></h3>")
        .contains("<th>e2e P50 ms</th>")
        .endsWith("</html>\n");
  }

  @Test
  void escapesLogLinesInCodeBlocks() {
    String html = HtmlReport.render(ReportFixtures.twoSuccesses());

    assertThat(html).contains("<pre><code>Traceback (most recent call last):")
        .contains("File &quot;/opt/genbench/worker/genbench_worker/models/unet.py&quot;");
  }

  @Test
  void splitsTableRowsOnUnescapedPipesOnly() {
    assertThat(HtmlReport.cells("| a | b \\| c | d |")).containsExactly("a", "b | c", "d");
  }

  @Test
  void statusesAndVerdictsThatNeedAttentionAreColouredAndWideTablesScroll() {
    String html = HtmlReport.render(ReportFixtures.twoSuccesses());

    assertThat(html).contains("<td class=\"warn\">OOM_SKIPPED (OOM)</td>").contains("<td class=\"bad\">FAILED (error)</td>")
        .contains("<td class=\"good\">SUCCESS</td>").contains("<div class=\"wide\"><table>");
    assertThat(html).doesNotContain("<th class=");
  }
}
