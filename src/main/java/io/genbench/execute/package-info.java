/**
 * Running cases: {@link io.genbench.execute.Runner} drives an {@link io.genbench.execute.Executor} (the Python worker as
 * a local process here; the in-JVM ONNX loop in {@code execute.onnx}, Kubernetes Jobs in {@code execute.kubernetes})
 * and writes each case's events as they arrive; the wrapping executors (budget, placement) and the estimator live here
 * too. Imports wire, plan, cost, store, env (the host probes) and analyze (the median interval its stop rule shares
 * with the verdict); never its two sub-rooms ({@code ImportRulesTest} checks it).
 */
package io.genbench.execute;
