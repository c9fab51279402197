package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.metrics.RunMetrics;
import io.genbench.store.RunDirectory;
import io.genbench.wire.WorkerEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port}: a run's progress as Prometheus metrics, read from its run directory at each scrape (cases
 * with a result, cases with events but none yet, their samples), so it needs nothing from the runner.
 */
final class RunMetricsOption {

  @Option(names = "--metrics-port", paramLabel = "N", description = "serve the run's progress (cases done, the case in"
      + " flight, samples, ETA) as Prometheus metrics on http://127.0.0.1:N/metrics while it runs (0: any free port, printed)")
  Integer port;

  private RunMetrics metrics;

  /** Starts the endpoint when --metrics-port is given; it serves until the process exits. */
  void expose(RunDirectory dir, int cases) {
    if (port == null) return;
    if (port < 0 || port > 65535) throw new UserError("--metrics-port " + port + ": must be from 0 to 65535.");
    var progress = new DirectoryProgress(dir, cases);
    try {
      metrics = RunMetrics.serve("127.0.0.1", port, progress::read);
    } catch (IOException e) {
      throw new UserError("--metrics-port " + port + ": cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
          + "): choose another port, or 0 for any free one.");
    }
    System.err.println("genbench: progress metrics on http://127.0.0.1:" + metrics.port() + "/metrics");
  }

  /** The port it listens on, or -1 without --metrics-port. */
  int boundPort() {
    return metrics == null ? -1 : metrics.port();
  }

  /** Reads progress off the run directory; finished cases' samples are counted once. */
  static final class DirectoryProgress {
    private final RunDirectory dir;
    private final int cases;
    private final long startNs = System.nanoTime();
    private final int doneAtStart;
    private final Map<String, Long> finishedSamples = new HashMap<>();

    DirectoryProgress(RunDirectory dir, int cases) {
      this.dir = dir;
      this.cases = cases;
      this.doneAtStart = (int) dir.caseIds().stream().filter(dir::isDone).count();
    }

    synchronized RunMetrics.Progress read() {
      int done = 0;
      long samples = 0;
      List<String> current = new ArrayList<>();
      for (String id : dir.caseIds()) {
        boolean finished = dir.isDone(id);
        if (finished) {
          done++;
          samples += finishedSamples.computeIfAbsent(id, this::samples);
        } else if (dir.hasEvents(id)) {
          current.add(id);
          samples += samples(id);
        }
      }
      // the pace of the cases this process finished: a resumed run's earlier cases took no time here
      int doneHere = done - doneAtStart;
      double eta = doneHere <= 0 ? Double.NaN : (System.nanoTime() - startNs) / 1e9 / doneHere * Math.max(0, cases - done);
      return new RunMetrics.Progress(cases, done, current, samples, eta);
    }

    private long samples(String caseId) {
      try {
        return dir.readEvents(caseId).stream().filter(e -> e instanceof WorkerEvent.Sample).count();
      } catch (RuntimeException e) {
        return 0; // a log being written: counted at the next scrape
      }
    }
  }
}
