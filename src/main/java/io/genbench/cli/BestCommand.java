package io.genbench.cli;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.cost.Lifecycle;
import io.genbench.rank.BestConfigurations;
import io.genbench.store.RunDirectory;
import io.genbench.views.RunViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench best}: the cheapest configurations of a run that meet a latency and a memory limit. */
@Command(name = "best", mixinStandardHelpOptions = true,
    description = {"Picks the configurations of a run that meet every constraint (e2e P95, peak memory), cheapest first by"
        + " cost per 1000 images at the chosen lifecycle's price (LLM cases by cost per million tokens, ranked apart), each"
        + " with the figures it rests on; then the cases that missed a constraint (which, by how much) and the cases not"
        + " considered (not SUCCESS, INVALID, no price).",
        "Counts SUCCESS cases with a VALID verdict; HOST-BOUND cases count, flagged; --include-invalid counts INVALID ones,"
            + " flagged. Figures are recomputed from the events; nothing is written."},
    footer = {"", "Examples:", "  genbench best results/20261121-101500-plan --p95-ms 1000",
        "  genbench best results/20261121-101500-plan --p95-ms 1000 --max-memory-gb 24 --lifecycle spot",
        "  genbench best bench/example-h100-seed000 --include-invalid --format json",
        "", "Exit codes: 0 some configuration meets every constraint; 2 bad input (a missing or foreign directory, a bad"
        + " limit); 3 nothing meets them (the reasons are still printed)."})
final class BestCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_DIR", description = "a run directory (default: the newest under results/)")
  Path runDir;

  @Option(names = "--p95-ms", paramLabel = "X", description = "e2e P95 at most X ms")
  Double p95Ms;

  @Option(names = "--max-memory-gb", paramLabel = "Y",
      description = "peak memory at most Y GB (10^9 bytes): GPU reserved memory, or a CPU case's rss-delta")
  Double maxMemoryGb;

  @Option(names = "--lifecycle", defaultValue = "ondemand", paramLabel = "L",
      description = "spot | ondemand: whose price ranks (default: ${DEFAULT-VALUE})")
  Lifecycle lifecycle;

  @Option(names = "--include-invalid", description = "count INVALID cases too, flagged (default: excluded)")
  boolean includeInvalid;

  @Option(names = "--format", defaultValue = "md", paramLabel = "FORMAT", description = "md | json (default: ${DEFAULT-VALUE})")
  String format;

  @Override
  public Integer call() {
    runDir = NewestRuns.orNewest(runDir, "RUN_DIR", 0);
    boolean json = OutputFormat.json(format);
    positive("--p95-ms", p95Ms);
    positive("--max-memory-gb", maxMemoryGb);
    CompareCommand.requireDirectory(runDir, "the run directory");
    RunViews views = new RunViews(RunDirectory.open(runDir));
    BestConfigurations best = BestConfigurations.of(runDir.toString(), views.results(), p95Ms, maxMemoryGb, lifecycle,
        includeInvalid);
    try {
      System.out.print(json ? Json.PRETTY.writeValueAsString(best) + "\n" : best.markdown());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.flush();
    return (best.found() ? ExitCode.OK : ExitCode.NOTHING_MEETS).code();
  }

  private static void positive(String option, Double value) {
    if (value != null && !(value > 0 && Double.isFinite(value))) {
      throw new UserError(option + " must be a positive number, was " + value);
    }
  }
}
