package io.genbench.execute;

import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import java.util.Optional;

/**
 * An executor that wraps another and changes only how cases run ({@link #execute}): the case specification, what the
 * backend cannot run, its name and closing are the wrapped executor's.
 */
abstract class ForwardingExecutor implements Executor {
  protected final Executor delegate;

  protected ForwardingExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public io.genbench.wire.WorkerCase spec(TestCase c, Settings settings) {
    return delegate.spec(c, settings);
  }

  @Override
  public Optional<String> cannotRun(TestCase c) {
    return delegate.cannotRun(c);
  }

  @Override
  public String backend() {
    return delegate.backend();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
