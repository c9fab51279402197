package io.genbench.analyze;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The Pareto frontier of two figures that are both better when lower (latency and cost): the items no other item
 * beats on one figure without losing on the other. An item is dominated when another is at most as high on both and
 * lower on at least one; items with equal figures do not dominate each other, so both stay.
 */
public final class ParetoFrontier {
  private ParetoFrontier() {}

  /**
   * The non-dominated items, by {@code x} ascending (so by {@code y} descending). Items with a NaN or infinite figure
   * are left out. O(n log n).
   */
  public static <T> List<T> of(List<T> items, ToDoubleFunction<T> x, ToDoubleFunction<T> y) {
    List<T> finite = items.stream().filter(t -> Double.isFinite(x.applyAsDouble(t)) && Double.isFinite(y.applyAsDouble(t)))
        .sorted(Comparator.comparingDouble(x).thenComparingDouble(y)).toList();
    List<T> frontier = new ArrayList<>();
    double bestY = Double.POSITIVE_INFINITY;
    double lastX = Double.NaN;
    for (T t : finite) {
      double tx = x.applyAsDouble(t), ty = y.applyAsDouble(t);
      if (ty < bestY || (ty == bestY && tx == lastX)) {
        frontier.add(t);
        bestY = ty;
        lastX = tx;
      }
    }
    return frontier;
  }
}
