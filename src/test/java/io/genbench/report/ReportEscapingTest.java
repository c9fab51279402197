package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.result.CaseResult;
import io.genbench.result.ResultFile;
import io.genbench.result.CaseStatus;
import io.genbench.wire.FailureKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every user-supplied string reaches report.md and report.html as text, never as markup. */
final class ReportEscapingTest {
  private static final String HOSTILE = "<script>alert(1)</script> a|b `tick` **bold** [link](x)\n# injected heading\n- injected item"
      + "\n| injected | row |\n```\n1. injected";

  @Test
  void noUserStringIsWrittenRawIntoTheMarkdown() {
    String md = MarkdownReport.render(hostileRun());

    String outsideFences = withoutFences(md);
    assertThat(outsideFences).doesNotContain("<script>", "</script>", "`tick`", "**bold**", "[link]");
    assertThat(outsideFences.lines()).noneMatch(l -> l.matches("\\s*(#+ |- |\\d+\\. |\\| )injected.*"));
    assertThat(outsideFences).contains("\\<script\\>");
    assertEveryTableRowHasItsHeadersCellCount(md);
  }

  @Test
  void noUserStringIsWrittenRawIntoTheHtml() {
    String html = HtmlReport.render(hostileRun());

    assertThat(html.split("<script", -1)).as("one script: the page's own").hasSize(2);
    assertThat(html).contains("<script>" + HtmlReport.SCRIPT + "</script>");
    assertThat(html).doesNotContain("<script>alert", "<h1>injected", "<h2>injected", "<li>injected", "<td>injected",
        "<code>tick</code>", "<strong>bold</strong>");
    assertThat(html).as("links: only the contents line's, to the page's own sections").doesNotContainPattern("<a (?!href=\"#[a-z0-9-]+\">)");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt; a|b `tick` **bold** [link](x)");
  }

  @Test
  void controlCharactersInIdsAndWorkerMessagesAreShownNotSentInEveryHumanView() {
    String control = "\u001b[2J\u001b]0;pwned\u0007\rover\u009b31m\u202e";
    CaseResult oom = ReportFixtures.sdxlOomOnG5();
    CaseResult failed = new ResultFile("case" + control, oom.model(), oom.modelLabel(), oom.requestedInstance(),
        oom.actualInstance(), oom.lifecycle(), oom.zone(), oom.batchSize(), oom.inferenceSteps(), oom.resolution(),
        oom.precision(), oom.backend(), oom.weights(), oom.device(), null, 0, 0, 4, Map.of(), null, null, null, null, null,
        null, null, null, null, CaseStatus.FAILED, new CaseResult.Failure(FailureKind.WORKER_ERROR, "boom" + control,
            List.of("tail" + control)), null, null, null, null, null, null).toResult();
    RunReport run = new RunReport("run" + control, ReportFixtures.environment("torch-cuda", "local"),
        List.of(ReportFixtures.sd21OnG5(), failed), ReportFixtures.NOTE);

    for (String view : List.of(MarkdownReport.render(run), HtmlReport.render(run), ConsoleSummary.render(run))) {
      assertThat(view.chars().filter(c -> io.genbench.Printable.isControl((char) c)).mapToObj(Integer::toHexString).toList())
          .as(view.substring(0, 40)).isEmpty();
      assertThat(view).as("shown in escape form").contains("case\\u001b", "pwned\\u0007", "\\u009b31m", "\\u202e");
    }
  }

  /** The run id, the environment, and a success and a failure whose every string field is hostile. */
  static RunReport hostileRun() {
    ObjectNode env = (ObjectNode) ReportFixtures.environment("torch-cuda" + HOSTILE, "local" + HOSTILE);
    for (String key : List.of("host", "device", "os", "java", "git_commit", "genbench_version", "started_at")) env.put(key, HOSTILE);
    CaseResult ok = ReportFixtures.sd21OnG5();
    CaseResult success = new ResultFile("id" + HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, 1, 20, HOSTILE,
        HOSTILE, HOSTILE, HOSTILE, HOSTILE, ok.modelLoadS(), 2, ok.iterations(), 1, ok.latency(), ok.inferenceTimeS(),
        ok.timePerImageS(), ok.imagesPerS(), null, ok.memory(), ok.telemetry(),
        new CaseResult.Price(ok.price().spotUsdPerHour(), ok.price().ondemandUsdPerHour(), ok.price().actualUsdPerHour(), HOSTILE,
            HOSTILE, HOSTILE), ResultFile.CostFile.of(ok.cost()), ok.verdict(), CaseStatus.SUCCESS, null, Map.of(HOSTILE, HOSTILE), null, null, null, null, null).toResult();
    CaseResult failure = new ResultFile("failed" + HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, 1, 20, HOSTILE,
        HOSTILE, HOSTILE, HOSTILE, HOSTILE, null, 0, 0, 1, Map.of(), null, null, null, null, null, null, null, null, null,
        CaseStatus.FAILED, new CaseResult.Failure(FailureKind.WORKER_ERROR, HOSTILE, List.of(HOSTILE.split("\n"))), null, null, null, null, null, null).toResult();
    return new RunReport("run" + HOSTILE, env, List.of(success, failure), ReportFixtures.NOTE);
  }

  private static String withoutFences(String md) {
    StringBuilder out = new StringBuilder();
    String fence = null;
    for (String line : md.split("\n")) {
      if (fence == null && line.startsWith("```")) {
        fence = line.replaceAll("[^`].*", "");
      } else if (fence != null && line.equals(fence)) {
        fence = null;
      } else if (fence == null) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static void assertEveryTableRowHasItsHeadersCellCount(String md) {
    int cells = -1;
    for (String line : withoutFences(md).split("\n")) {
      if (!line.startsWith("|")) {
        cells = -1;
      } else if (cells < 0) {
        cells = HtmlReport.cells(line).size();
      } else {
        assertThat(HtmlReport.cells(line)).as(line).hasSize(cells);
      }
    }
  }
}
