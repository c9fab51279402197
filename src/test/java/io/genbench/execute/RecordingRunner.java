package io.genbench.execute;

import io.genbench.cost.PriceCatalog;
import io.genbench.measure.CaseAnalyzer;
import io.genbench.measure.Measurements;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;

/** The runner the execute tests drive: bundled spot prices, silent progress, every finished case analysed into a map. */
final class RecordingRunner {
  private RecordingRunner() {}

  /** A runner whose completion puts each finished case's result into {@code results} and marks the case done. */
  static Runner of(Executor executor, RunDirectory dir, Map<String, CaseResult> results) {
    return new Runner(executor, dir, PriceCatalog.bundled(), new Runner.Pricing(io.genbench.cost.Lifecycle.SPOT, "us-east-1", null), id -> {
      CaseResult r = CaseAnalyzer.analyze(id, Measurements.of(dir.readEvents(id)), dir.logTail(id, 20));
      results.put(id, r);
      RunDirectory.writeAtomic(dir.caseDir(id).resolve(RunDirectory.RESULT), "{}");
      return r.status().name();
    }, new Progress(new PrintStream(new ByteArrayOutputStream()), false, Ticker.SYSTEM));
  }
}
