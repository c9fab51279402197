/**
 * The run directory ({@code results/<run-id>/}): plan, environment, per-case raw events (append-only, the source of
 * truth) and results, with atomic writes. Imports execute (events) only.
 */
package io.genbench.store;
