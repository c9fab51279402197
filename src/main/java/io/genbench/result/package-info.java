/**
 * The shared vocabulary of outcomes: {@link io.genbench.result.CaseResult} (what the case was, where it ran, and its
 * sealed outcome, measured or failed), its {@link io.genbench.result.Workload} (images or tokens), the
 * {@link io.genbench.result.CaseStatus} column, and {@link io.genbench.result.ResultFile}, the one mapping to and from
 * the flat {@code result.json} (failure kinds are the wire's {@link io.genbench.wire.FailureKind}). Imports only
 * {@code wire}, {@code plan}, {@code analyze} and {@code cost}.
 */
package io.genbench.result;
