package io.genbench.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Load run directories for tests: synthetic records written by the real {@link LoadOutput}, or a real run on loopback. */
public final class LoadRuns {
  private LoadRuns() {}

  /**
   * Writes a one-level closed-loop run ({@code c1}) of {@code n} successful requests against {@code url}, each served in
   * {@code serviceMs} × a lognormal factor (CV 10 %, seeded), to {@code dir}.
   */
  public static Path synthetic(Path dir, String url, long seed, double serviceMs, int n) {
    LoadPlan plan = LoadRunnerTest.plan(url, "openai-images", "concurrency 1", 10.0, n);
    Random random = new Random(seed);
    double sigma = Math.sqrt(Math.log(1 + 0.1 * 0.1));
    List<RequestRecord> records = new ArrayList<>();
    long at = 1_000_000;
    for (int i = 0; i < n; i++) {
      long sent = at + 50_000;
      long done = sent + Math.round(serviceMs * 1e6 * Math.exp(sigma * random.nextGaussian()));
      records.add(new RequestRecord(0, 0, i, false, 0, at, at + 10_000, sent, done - 1_000_000, done, null, 200, 1, 0, false,
          new long[0], null, null, null));
      at = done;
    }
    LevelRun run = new LevelRun(0, url, 0, new Level.Closed("c1", 1), 1_000_000, at, Double.NaN, false, records);
    LoadOutput.write(dir, new LoadOutput.LoadRun(dir.getFileName().toString(), plan, List.of(run), List.of(LevelStats.of(run)),
        List.of(LevelJudgement.of(run, false, plan.parsedSlo("test"), plan.validityRules())), null, null));
    return dir;
  }

  /** A real {@code LoadSession.run}: {@code requests} sequential requests (after 3 warm-up ones) against {@code url}. */
  public static LoadSession.Result real(Path dir, String url, int requests) {
    LoadPlan plan = new LoadPlan(List.of(url), "openai-images", "concurrency 1", 30.0, requests, null, 3, null, null, null, 7L, 1,
        null, 5.0, null, null, null, null, null, null, null, null, java.util.Map.of(), null, null, null, null, null).resolved("test");
    return LoadSession.run(plan, Path.of("."), dir.getParent(), dir, s -> { });
  }
}
