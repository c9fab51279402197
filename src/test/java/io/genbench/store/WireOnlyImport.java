package io.genbench.store;

/** A fixture for ImportRulesTest: store reading worker events, the one known exception. Never used. */
public final class WireOnlyImport {
  boolean done(io.genbench.execute.WorkerEvent event) {
    return event instanceof io.genbench.execute.WorkerEvent.Done;
  }
}
