package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.load.Level;
import io.genbench.load.LoadObserver;
import io.genbench.load.RequestRecord;
import io.genbench.metrics.LoadMetrics;
import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port} of {@code genbench load}: the load's progress and per-request figures as Prometheus metrics
 * ({@code genbench_load_*}), fed by the runner as each level starts and each request ends.
 */
final class LoadMetricsOption {

  @Option(names = "--metrics-port", paramLabel = "N", description = "serve the load's progress (requests by outcome,"
      + " response / service / dispatch-lag histograms, offered and achieved rate, the current level) as Prometheus metrics"
      + " on http://127.0.0.1:N/metrics while it runs (0: any free port, printed)")
  Integer port;

  private LoadMetrics metrics;

  /** Starts the endpoint when --metrics-port is given and returns what feeds it; without it, {@link LoadObserver#NONE}. */
  LoadObserver expose() {
    if (port == null) return LoadObserver.NONE;
    if (port < 0 || port > 65535) throw new UserError("--metrics-port " + port + ": must be from 0 to 65535.");
    try {
      metrics = new LoadMetrics(System::nanoTime).serve("127.0.0.1", port);
    } catch (IOException e) {
      throw new UserError("--metrics-port " + port + ": cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
          + "): choose another port, or 0 for any free one.");
    }
    System.err.println("genbench: load metrics on http://127.0.0.1:" + metrics.port() + "/metrics");
    return feeding(metrics);
  }

  /** The observer that feeds {@code metrics}: targets labelled by URL, levels by label. */
  static LoadObserver feeding(LoadMetrics metrics) {
    return new LoadObserver() {
      @Override
      public void levelStarted(int target, String url, Level level) {
        metrics.levelStarted(url, level.label(), level instanceof Level.Open o ? o.arrivals().offeredRate() : Double.NaN);
      }

      @Override
      public void requestDone(int target, String url, Level level, RequestRecord r) {
        metrics.request(url, level.label(), r.warmup(), r.ok() ? "ok" : r.error().label(), r.httpStatus(), r.responseNs(),
            r.serviceNs(), r.dispatchLagNs());
      }

      @Override
      public void levelEnded(int target, String url, Level level) {
        metrics.levelEnded(url, level.label());
      }
    };
  }

  /** The port it listens on, or -1 without --metrics-port. */
  int boundPort() {
    return metrics == null ? -1 : metrics.port();
  }
}
