package io.genbench.execute;

import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.WorkerEvent;
import java.util.Optional;
import java.util.function.Consumer;

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

  /**
   * {@code sink}, calling {@code before} and {@code after} around passing each event on (with the worker's line when it
   * came with one); log lines pass straight through. The one event wrapper of the executors that wrap another.
   */
  protected static CaseSink watched(CaseSink sink, Consumer<WorkerEvent> before, Consumer<WorkerEvent> after) {
    return new CaseSink() {
      @Override
      public void event(WorkerEvent event) {
        event(event, null);
      }

      @Override
      public void event(WorkerEvent event, String line) {
        before.accept(event);
        if (line == null) sink.event(event);
        else sink.event(event, line);
        after.accept(event);
      }

      @Override
      public void helloAgain(WorkerEvent.Hello hello, String line) {
        before.accept(hello);
        sink.helloAgain(hello, line);
        after.accept(hello);
      }

      @Override
      public void log(String caseId, String line) {
        sink.log(caseId, line);
      }
    };
  }
}
