/**
 * The shared vocabulary of outcomes: {@link io.genbench.result.FailureKind}, {@link io.genbench.result.CaseStatus} and
 * {@link io.genbench.result.CaseResult}. Imports only {@code plan}, {@code analyze} and {@code cost}.
 */
package io.genbench.result;
