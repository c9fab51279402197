/**
 * The run directory ({@code results/<run-id>/}): plan, environment, per-case raw events (append-only, the source of
 * truth) and results, with atomic writes. Imports only the wire ({@code WorkerEvent}) and {@code UserError}; {@code ImportRulesTest} checks it.
 */
package io.genbench.store;
