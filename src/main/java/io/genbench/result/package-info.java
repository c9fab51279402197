/**
 * The shared vocabulary of outcomes: {@link io.genbench.result.CaseStatus}, {@link io.genbench.result.CaseResult} and
 * its {@link io.genbench.result.Workload} (images or tokens; failure kinds are the wire's
 * {@link io.genbench.wire.FailureKind}). Imports only {@code wire}, {@code plan}, {@code analyze} and {@code cost}.
 */
package io.genbench.result;
