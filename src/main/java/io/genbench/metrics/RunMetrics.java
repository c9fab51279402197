package io.genbench.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code genbench run --metrics-port}: the run's progress ({@link Metric.Scope#RUN}) on its own {@code /metrics} port,
 * read from a {@link Progress} snapshot at each scrape.
 */
public final class RunMetrics implements AutoCloseable {

  /**
   * Where a run stands.
   *
   * @param cases the cases it measures
   * @param casesDone those with a result
   * @param current the cases being measured now
   * @param samples measured samples recorded so far
   * @param etaSeconds seconds left, or NaN before the first case of this process ended
   */
  public record Progress(int cases, int casesDone, List<String> current, long samples, double etaSeconds) {}

  private final HTTPServer server;

  private RunMetrics(HTTPServer server) {
    this.server = server;
  }

  /** Serves the progress on {@code host:port} ({@code port} 0: any free port). */
  public static RunMetrics serve(String host, int port, Supplier<Progress> progress) throws IOException {
    var registry = new PrometheusRegistry();
    gauge(Metric.RUN_CASES, registry, progress, (p, cb) -> cb.call(p.cases()));
    gauge(Metric.RUN_CASES_DONE, registry, progress, (p, cb) -> cb.call(p.casesDone()));
    gauge(Metric.RUN_CURRENT_CASE, registry, progress, (p, cb) -> p.current().forEach(c -> cb.call(1, c)));
    gauge(Metric.RUN_SAMPLES, registry, progress, (p, cb) -> cb.call(p.samples()));
    gauge(Metric.RUN_ETA_SECONDS, registry, progress, (p, cb) -> {
      if (!Double.isNaN(p.etaSeconds())) cb.call(p.etaSeconds());
    });
    HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry)
        .executorService(Executors.newSingleThreadExecutor(Thread.ofPlatform().name("genbench-run-metrics").daemon().factory()))
        .buildAndStart();
    return new RunMetrics(server);
  }

  private static void gauge(Metric m, PrometheusRegistry registry, Supplier<Progress> progress,
      java.util.function.BiConsumer<Progress, GaugeWithCallback.Callback> read) {
    GaugeWithCallback.builder().name(m.metricName()).help(m.help()).labelNames(m.labels().toArray(String[]::new))
        .callback(cb -> read.accept(progress.get(), cb)).register(registry);
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
