package io.genbench.cli;

import io.genbench.execute.kubernetes.GeneratorJobs;
import io.genbench.load.GeneratorPod;
import io.genbench.load.GeneratorShare;
import io.genbench.load.Level;
import io.genbench.load.LoadGenerators;
import io.genbench.load.LoadPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code genbench load --executor kubernetes}: the load package's remote generators as {@link GeneratorJobs}, each
 * generator's command line the load command's generator mode ({@link GeneratorPod#args}).
 */
final class KubernetesLoadGenerators implements LoadGenerators {
  private final GeneratorJobs jobs;
  private final LoadPlan plan;
  private final int count;
  private final Duration lead;

  KubernetesLoadGenerators(GeneratorJobs jobs, LoadPlan plan, int count, Duration lead) {
    this.jobs = jobs;
    this.plan = plan;
    this.count = count;
    this.lead = lead;
  }

  @Override
  public int count() {
    return count;
  }

  @Override
  public Duration lead() {
    return lead;
  }

  @Override
  public void publish(Map<String, String> files) {
    jobs.publish(files);
  }

  /** The level's Jobs: one per generator, with its args and share; the deadline covers the lead, the level and its drain. */
  GeneratorJobs.Level level(int target, int level, Level whole, Instant start) {
    List<List<String>> args = new ArrayList<>();
    List<String> shares = new ArrayList<>();
    for (int g = 0; g < count; g++) {
      GeneratorShare share = new GeneratorShare(g, count);
      args.add(GeneratorPod.args(share, target, level, start, GeneratorJobs.MOUNT + "/" + GeneratorPod.PLAN_FILE));
      shares.add(share.describe(whole));
    }
    long deadline = lead.toSeconds() + (long) Math.ceil(plan.warmupS() + plan.durationS() + 2 * plan.timeoutS()) + 300;
    return new GeneratorJobs.Level("t" + target + "l" + level, args, shares, deadline);
  }

  @Override
  public List<String> runLevel(int target, int level, Level whole, Instant start, Lines lines) {
    return jobs.run(level(target, level, whole, start), lines::line);
  }

  @Override
  public void close() {
    jobs.close();
  }
}
