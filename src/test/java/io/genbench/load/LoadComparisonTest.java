package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import io.genbench.analyze.MedianRatio;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
final class LoadComparisonTest {
  @TempDir
  Path tmp;

  @Test
  void aServerTwiceAsSlowIsSlowerAtTheMedianResponseTimeOfRealLoadRuns() throws Exception {
    try (FakeOpenAi fast = new FakeOpenAi(); FakeOpenAi slow = new FakeOpenAi()) {
      fast.serviceMs = 20;
      slow.serviceMs = 40;
      Path a = LoadRuns.real(tmp.resolve("a"), fast.url("/v1/images/generations"), 30).dir();
      Path b = LoadRuns.real(tmp.resolve("b"), slow.url("/v1/images/generations"), 30).dir();

      LoadComparison c = LoadComparison.of(a, b, 0.95, 1, MedianRatio.RESAMPLES, 5.0);

      assertThat(c.levels()).singleElement().satisfies(l -> {
        assertThat(l.key()).isEqualTo("c1");
        assertThat(l.baselineRequests()).isEqualTo(30);
        assertThat(l.figures()).extracting(LoadComparison.Figure::quantile).containsExactly("p50", "p95", "p99");
        LoadComparison.Figure p50 = l.figures().getFirst();
        assertThat(p50.change()).isEqualTo("slower");
        assertThat(p50.ciLow()).isGreaterThan(1.15);
        assertThat(p50.ratio()).isBetween(1.3, 2.5); // 40 ms vs 20 ms of service, plus the same overhead on both
        // the tails of 30 requests on a busy machine are wide: each interval brackets its own ratio, whatever it says
        assertThat(l.figures()).allSatisfy(f -> assertThat(f.ratio()).isBetween(f.ciLow(), f.ciHigh()));
        assertThat(l.points()).extracting(LoadComparison.Point::metric).containsExactly("achieved_rps", "error_rate");
        // the achieved rate is a count over a window of about a second here: one stall of the busy host decides its
        // direction, so this run checks that the point is the two runs' own figures (the direction: the synthetic test)
        LoadComparison.Point rps = l.points().getFirst();
        assertThat(rps.baseline()).isEqualTo(achievedRps(a));
        assertThat(rps.candidate()).isEqualTo(achievedRps(b));
        assertThat(rps.ratio()).isCloseTo(rps.candidate() / rps.baseline(), org.assertj.core.data.Offset.offset(1e-12));
      });
      assertThat(c.regressions()).containsExactly("c1");
      assertThat(c.markdown()).contains("| `c1` | response p95 |").contains("| slower (regression) |").contains("Regressions beyond 5 %");
    }
  }

  @Test
  void twoRunsOfTheSameDistributionHaveIntervalsThatCoverOne() {
    Path a = LoadRuns.synthetic(tmp.resolve("a"), "http://127.0.0.1:1/", 1, 20, 200);
    Path b = LoadRuns.synthetic(tmp.resolve("b"), "http://127.0.0.1:2/", 2, 20, 200);

    LoadComparison c = LoadComparison.of(a, b, 0.95, 1, MedianRatio.RESAMPLES, 5.0);

    assertThat(c.levels()).singleElement().satisfies(l -> assertThat(l.figures()).hasSize(3).allSatisfy(f -> {
      assertThat(f.ciLow()).isLessThanOrEqualTo(1.0);
      assertThat(f.ciHigh()).isGreaterThanOrEqualTo(1.0);
      assertThat(f.change()).isEqualTo("no significant difference");
    }));
    assertThat(c.regressions()).isEmpty();
  }

  @Test
  void aTenPercentSlowerSyntheticRunIsSlowerAtTheMedian() {
    Path a = LoadRuns.synthetic(tmp.resolve("a"), "http://127.0.0.1:1/", 1, 20, 400);
    Path b = LoadRuns.synthetic(tmp.resolve("b"), "http://127.0.0.1:1/", 2, 22, 400);

    LoadComparison c = LoadComparison.of(a, b, 0.95, 1, MedianRatio.RESAMPLES, null);

    LoadComparison.Figure p50 = c.levels().getFirst().figures().getFirst();
    assertThat(p50.change()).isEqualTo("slower");
    assertThat(p50.ratio()).isBetween(1.05, 1.15);
    assertThat(c.levels().getFirst().points().getFirst().ratio()).as("achieved rate: fewer requests a second, closed loop")
        .isBetween(1 / 1.15, 1 / 1.05);
    assertThat(c.regressions()).isEmpty(); // no threshold given
  }

  @Test
  void levelsWithoutACounterpartAreListedAndNoMatchAtAllIsAUserError() throws Exception {
    Path a = LoadRuns.synthetic(tmp.resolve("a"), "http://127.0.0.1:1/", 1, 20, 50);
    Path b = LoadRuns.synthetic(tmp.resolve("b"), "http://127.0.0.1:1/", 2, 20, 50);
    java.nio.file.Files.writeString(b.resolve("levels.csv"), java.nio.file.Files.readString(b.resolve("levels.csv")).replace(",c1,", ",c2,"));
    java.nio.file.Files.writeString(b.resolve("requests.csv"), java.nio.file.Files.readString(b.resolve("requests.csv")).replace(",c1,", ",c2,"));

    assertThatThrownBy(() -> LoadComparison.of(a, b, 0.95, 1, MedianRatio.RESAMPLES, null)).isInstanceOf(UserError.class)
        .hasMessageContaining("no load level of " + a).hasMessageContaining("baseline: c1; candidate: c2");
  }

  @Test
  void csvCellsWithQuotesCommasAndNewlinesReadBack() throws Exception {
    Path f = tmp.resolve("x.csv");
    java.nio.file.Files.writeString(f, "a,b,c\n1,\"x, \"\"y\"\"\nz\",3\n");

    assertThat(LoadComparison.rows(f, "test")).singleElement()
        .satisfies(r -> assertThat(r).containsEntry("a", "1").containsEntry("b", "x, \"y\"\nz").containsEntry("c", "3"));
  }

  /** The one level's achieved_rps in a load run's levels.csv. */
  private static double achievedRps(Path run) throws java.io.IOException {
    java.util.List<String> lines = java.nio.file.Files.readAllLines(run.resolve("levels.csv"));
    java.util.List<String> header = java.util.List.of(lines.get(0).split(",", -1));
    return Double.parseDouble(lines.get(1).split(",", -1)[header.indexOf("achieved_rps")]);
  }
}
