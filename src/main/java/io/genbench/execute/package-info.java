/**
 * Running cases: {@link io.genbench.execute.Runner} drives an {@link io.genbench.execute.Executor} (in-JVM ONNX, or
 * the Python worker as a local process) and writes each case's events as they arrive. Imports wire, plan, cost,
 * store, env (the host probes) and analyze (the median interval its stop rule shares with the verdict).
 */
package io.genbench.execute;
