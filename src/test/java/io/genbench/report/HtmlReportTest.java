package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class HtmlReportTest {

  @Test
  void rendersTheMarkdownReportAsOneSelfContainedPage() {
    String html = HtmlReport.render(ReportFixtures.twoSuccesses());

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>")
        .doesNotContainPattern("(?i)(src|href|action)\\s*=\\s*['\"]?(https?:|//|file:|charts/)").doesNotContain("@import")
        .doesNotContainPattern("url\\((?!#)")
        .contains("<h2 id=\"cost-analysis-1000-images\">Cost analysis (1000 images)</h2>")
        .contains("<h3>Lowest spot cost: <code>sd-2-1-g5xlarge-b1-s20-float16</code></h3>")
        .contains("<th>e2e P50 ms</th>")
        .endsWith("</html>\n");
  }

  @Test
  void thePageOpensWithTheSummaryAndEndsWithMethodAndEnvironment() {
    String html = HtmlReport.render(ReportFixtures.twoSuccesses());

    int summary = html.indexOf("<h2 id=\"summary\">");
    assertThat(summary).isPositive().isLessThan(html.indexOf("<h2 id=\"results\">"));
    assertThat(html.indexOf("<li>Cheapest valid (spot): <code>sd-2-1-g5xlarge-b1-s20-float16</code>")).isBetween(summary,
        html.indexOf("<h2 id=\"results\">"));
    assertThat(html.indexOf("<h2 id=\"results\">")).isLessThan(html.indexOf("<h2 id=\"charts\">"));
    assertThat(html.indexOf("<h2 id=\"charts\">")).isLessThan(html.indexOf("<h2 id=\"method\">"));
    assertThat(html.indexOf("<h2 id=\"method\">")).isLessThan(html.indexOf("<h2 id=\"environment\">"));
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
        .contains("<td class=\"good\">SUCCESS</td>").contains("<div class=\"wide\"><table class=\"sortable\">");
    assertThat(html).doesNotContain("<th class=");
  }

  @Test
  void aTableWithSeveralRowsAndNamedColumnsIsSortableAKeyValueTableIsNot() {
    String html = HtmlReport.convert("| case | ms |\n|---|---|\n| a | 2 |\n| b | 1 |\n\n|  |  |\n|---|---|\n| host | x |\n| os | y |\n");

    assertThat(html).contains("<table class=\"sortable\">\n<thead>\n<tr><th>case</th><th>ms</th></tr>\n</thead>\n<tbody>\n<tr><td>a</td>")
        .contains("<table>\n<tbody>\n<tr><td>host</td><td>x</td></tr>").doesNotContain("<th></th>");
  }

  @Test
  void figuresAreRightAlignedAndALongIdInACellMayBreakOnlyAfterAHyphen() {
    String html = HtmlReport.convert("| case | e2e | throughput | resolution |\n|---|---|---|---|\n"
        + "| `sd-2-1-b1` | 1,234.5 | 1.240 img/s | 1024x1024 |\n| `x` | N/A | 12 % | 512x512 |\n");

    assertThat(html).contains("<tr><td><code>sd-<wbr>2-<wbr>1-<wbr>b1</code></td><td class=\"num\">1,234.5</td>"
        + "<td class=\"num\">1.240 img/s</td><td>1024x1024</td></tr>").contains("<td>N/A</td><td class=\"num\">12 %</td>");
  }

  @Test
  void thePageFetchesNothingAndRunsOnlyItsOwnScript() {
    String html = HtmlReport.render(ReportFixtures.twoSuccesses());

    assertThat(html).contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .contains("<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#results\">Results</a>");
    String hash = java.util.Base64.getEncoder().encodeToString(sha256(HtmlReport.SCRIPT));
    assertThat(HtmlReport.CSP).contains("script-src 'sha256-" + hash + "'").startsWith("default-src 'none';");
  }

  private static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
