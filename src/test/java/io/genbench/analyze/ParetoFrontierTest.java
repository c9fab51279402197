package io.genbench.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class ParetoFrontierTest {
  record Point(String id, double latency, double cost) {}

  @Test
  void theFrontierIsTheCasesNoOtherBeatsOnBothFigures() {
    List<Point> points = List.of(
        new Point("fast-dear", 100, 9),
        new Point("mid", 200, 5),
        new Point("dominated-by-mid", 250, 6),
        new Point("slow-cheap", 400, 2),
        new Point("same-latency-dearer", 200, 7),
        new Point("slower-same-cost", 500, 2),
        new Point("twin-of-mid", 200, 5));

    List<Point> frontier = ParetoFrontier.of(points, Point::latency, Point::cost);

    assertThat(frontier).extracting(Point::id).containsExactly("fast-dear", "mid", "twin-of-mid", "slow-cheap");
  }

  @Test
  void oneCaseIsItsOwnFrontierAndNonFiniteFiguresAreLeftOut() {
    assertThat(ParetoFrontier.of(List.of(new Point("a", 1, 1)), Point::latency, Point::cost)).hasSize(1);
    assertThat(ParetoFrontier.of(List.of(new Point("nan", Double.NaN, 0), new Point("b", 3, 3)), Point::latency, Point::cost))
        .extracting(Point::id).containsExactly("b");
    assertThat(ParetoFrontier.<Point>of(List.of(), Point::latency, Point::cost)).isEmpty();
  }
}
