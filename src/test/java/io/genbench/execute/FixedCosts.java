package io.genbench.execute;

import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;

/**
 * A cost model of fixed figures for tests of what the estimator and the dry run make of its parts: {@code e2e} s a
 * request, {@code start} s a worker start, {@code build} s a model build, {@code other} s around the iterations, steady
 * after {@code steadyAfter} warm-ups.
 */
public record FixedCosts(double e2e, double start, double build, double other, int steadyAfter, String basis)
    implements Estimator.CostModel {

  @Override
  public double e2eS(TestCase c) {
    return e2e;
  }

  @Override
  public double startS() {
    return start;
  }

  @Override
  public double buildS(TestCase c) {
    return build;
  }

  @Override
  public double otherS(TestCase c, double e2eS) {
    return other;
  }

  @Override
  public int steadyAfter(Settings s) {
    return steadyAfter;
  }

  @Override
  public Estimator.Source source() {
    return Estimator.Source.ROUGH;
  }
}
