package io.genbench.store;

/** A fixture for ImportRulesTest: store reading worker events from the wire, which every package may. Never used. */
public final class WireOnlyImport {
  boolean done(io.genbench.wire.WorkerEvent event) {
    return event instanceof io.genbench.wire.WorkerEvent.Done;
  }
}
