package io.genbench.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * {@code genbench load --metrics-port}: the load's progress and per-request figures ({@link Metric.Scope#LOAD}) on its
 * own {@code /metrics} port. Thread-safe: requests are reported from the load engine's event loops. Times are observed in
 * seconds. These are live views for a dashboard; the run's figures come from its raw records, never from these buckets.
 */
public final class LoadMetrics implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Instruments.counter(Metric.LOAD_REQUESTS, registry);
  private final Histogram response = Instruments.histogram(Metric.LOAD_RESPONSE_SECONDS, registry);
  private final Histogram service = Instruments.histogram(Metric.LOAD_SERVICE_SECONDS, registry);
  private final Histogram dispatchLag = Instruments.histogram(Metric.LOAD_DISPATCH_LAG_SECONDS, registry);
  private final LongSupplier nanoTime;
  /** Every level started, in order; the last is the current one. */
  private final Map<LevelKey, LevelState> levels = new LinkedHashMap<>();
  private LevelKey current;
  private HTTPServer server;

  private record LevelKey(String target, String level) {}

  private static final class LevelState {
    final double offeredRps;
    final long startNs;
    long endNs = -1;
    long ok;

    LevelState(double offeredRps, long startNs) {
      this.offeredRps = offeredRps;
      this.startNs = startNs;
    }
  }

  /** @param nanoTime the clock the achieved rate is measured by */
  public LoadMetrics(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    callback(Metric.LOAD_OFFERED_REQUESTS_PER_SECOND, (k, s, cb) -> {
      if (Double.isFinite(s.offeredRps)) cb.call(s.offeredRps, k.target(), k.level());
    });
    callback(Metric.LOAD_ACHIEVED_REQUESTS_PER_SECOND, (k, s, cb) -> {
      long end = s.endNs >= 0 ? s.endNs : nanoTime.getAsLong();
      if (end > s.startNs) cb.call(s.ok / ((end - s.startNs) / 1e9), k.target(), k.level());
    });
    callback(Metric.LOAD_CURRENT_LEVEL, (k, s, cb) -> cb.call(k.equals(current) ? 1 : 0, k.target(), k.level()));
  }

  private interface Read {
    void read(LevelKey key, LevelState state, GaugeWithCallback.Callback cb);
  }

  private void callback(Metric m, Read read) {
    GaugeWithCallback.builder().name(m.metricName()).help(m.help()).labelNames(m.labels().toArray(String[]::new))
        .callback(cb -> {
          synchronized (this) {
            levels.forEach((k, s) -> read.read(k, s, cb));
          }
        }).register(registry);
  }

  /** Serves the metrics on {@code host:port} ({@code port} 0: any free port) until closed. */
  public LoadMetrics serve(String host, int port) throws IOException {
    server = HTTPServer.builder().hostname(host).port(port).registry(registry)
        .executorService(Executors.newSingleThreadExecutor(Thread.ofPlatform().name("genbench-load-metrics").daemon().factory()))
        .buildAndStart();
    return this;
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  /** A level starts against {@code target}: the one before it ends. {@code offeredRps}: NaN for a closed loop. */
  public synchronized void levelStarted(String target, String level, double offeredRps) {
    long now = nanoTime.getAsLong();
    if (current != null && levels.get(current).endNs < 0) levels.get(current).endNs = now;
    current = new LevelKey(target, level);
    levels.put(current, new LevelState(offeredRps, now));
  }

  /** The level ended: its achieved rate stops moving and no level is current until the next starts. */
  public synchronized void levelEnded(String target, String level) {
    LevelState s = levels.get(new LevelKey(target, level));
    if (s != null && s.endNs < 0) s.endNs = nanoTime.getAsLong();
    if (new LevelKey(target, level).equals(current)) current = null;
  }

  /**
   * A request ended.
   *
   * @param outcome {@code ok} or the error kind's label
   * @param httpStatus the response's status, 0 when none came
   * @param responseNs done − scheduled
   * @param serviceNs done − sent, negative when never sent
   * @param dispatchLagNs sent − scheduled, negative when never sent
   */
  public void request(String target, String level, boolean warmup, String outcome, int httpStatus, long responseNs,
      long serviceNs, long dispatchLagNs) {
    requests.labelValues(target, level, warmup ? "warmup" : "measure", outcome, Integer.toString(httpStatus)).inc();
    boolean ok = outcome.equals("ok");
    if (ok) {
      synchronized (this) {
        LevelState s = levels.get(new LevelKey(target, level));
        if (s != null) s.ok++;
      }
    }
    if (warmup) return;
    if (dispatchLagNs >= 0) dispatchLag.labelValues(target, level).observe(dispatchLagNs / 1e9);
    if (!ok) return;
    response.labelValues(target, level).observe(responseNs / 1e9);
    if (serviceNs >= 0) service.labelValues(target, level).observe(serviceNs / 1e9);
  }

  /** Every series in Prometheus's text format. */
  public String scrape() {
    return Instruments.text(registry);
  }

  @Override
  public void close() {
    if (server != null) server.close();
  }
}
