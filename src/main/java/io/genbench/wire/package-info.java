/**
 * The wire between the controller and the worker (protocol/PROTOCOL.md): {@link io.genbench.wire.WorkerJob} and its
 * {@link io.genbench.wire.WorkerCase}s (the job a worker runs; a case is also the {@code case} event's spec),
 * {@link io.genbench.wire.WorkerEvent} (one line of the event stream) and {@link io.genbench.wire.FailureKind}, read and
 * written here only. The floor of the import graph: every package may import it, and it
 * imports nothing of genbench but the root ({@code Json}, {@code UserError}); {@code ImportRulesTest} checks it.
 */
package io.genbench.wire;
