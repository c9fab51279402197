/**
 * Prometheus metrics: {@link io.genbench.metrics.Metric} lists every series genbench exports (name, type, help,
 * labels, buckets) for {@code serve}, {@code run --metrics-port}, {@code load --metrics-port} and the LLM path, so a
 * dashboard generator reads one list; {@link io.genbench.metrics.ServeMetrics}, {@link io.genbench.metrics.RunMetrics}
 * and {@link io.genbench.metrics.LoadMetrics} build the instruments from it (client_java 1.x). Imports nothing of
 * genbench's.
 */
package io.genbench.metrics;
