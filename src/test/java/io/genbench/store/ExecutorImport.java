package io.genbench.store;

/** A fixture for ImportRulesTest: store reaching into execute beyond the wire, which the rules forbid. Never used. */
public final class ExecutorImport {
  String backend(io.genbench.execute.Executor executor) {
    return executor.backend();
  }
}
