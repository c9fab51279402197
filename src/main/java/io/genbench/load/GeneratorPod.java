package io.genbench.load;

import io.genbench.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One load generator of {@code genbench load --executor kubernetes}, as its pod runs it: the plan (from the files the
 * controller hands over), its {@link GeneratorShare} of one level, and the level's agreed wall-clock start. It maps the
 * start onto its own monotonic clock once, runs its share with {@link LoadRunner#runShare}, and prints
 * {@link RecordLines} to its stdout: the raw records, never a figure.
 */
public final class GeneratorPod {
  private GeneratorPod() {}

  /** The plan file's name among the files handed to the pods. */
  public static final String PLAN_FILE = "load.yaml";
  static final String PROMPTS_FILE = "prompts.txt";
  static final String TRACE_FILE = "trace.txt";
  /** What the files may weigh together: a Kubernetes Secret holds at most 1 MiB. */
  static final int MAX_FILES_BYTES = 1_000_000;

  /**
   * The command line (after the image's {@code genbench} entry point) that runs generator {@code share} of level
   * {@code level} against target {@code target}, starting at {@code start}, with the plan at {@code planPath}.
   */
  public static List<String> args(GeneratorShare share, int target, int level, Instant start, String planPath) {
    return List.of("load", "--generator", share.text(), "--generator-target", String.valueOf(target), "--generator-level",
        String.valueOf(level), "--generator-start", start.toString(), planPath);
  }

  /**
   * The files every generator reads, by name: {@value #PLAN_FILE} (the resolved plan, its prompts file and trace file
   * renamed to the copies beside it), and those copies. Headers in the plan may hold credentials: the files go to the
   * pods as a Secret, never as a ConfigMap.
   */
  public static Map<String, String> files(LoadPlan plan, Path base) {
    Map<String, String> files = new LinkedHashMap<>();
    String promptsFile = plan.promptsFile();
    if (promptsFile != null) {
      files.put(PROMPTS_FILE, read(base.resolve(promptsFile), "the prompts file"));
      promptsFile = PROMPTS_FILE;
    }
    String profile = plan.profile();
    if (plan.parsedProfile("load plan", base) instanceof Profile.Trace t) {
      files.put(TRACE_FILE, read(t.file(), "the trace file"));
      profile = "trace " + TRACE_FILE;
    }
    LoadPlan copy = new LoadPlan(plan.targets(), plan.api(), profile, plan.durationS(), plan.requests(), plan.warmupS(),
        plan.warmupRequests(), plan.perPrompt(), plan.prompt(), promptsFile, plan.seed(), plan.connections(), plan.http2(),
        plan.timeoutS(), plan.model(), plan.size(), plan.n(), plan.responseFormat(), plan.maxTokens(), plan.stream(),
        plan.bodyTemplate(), plan.resultPointer(), plan.headers(), plan.slo(), plan.minDurationS(), plan.minRequests(),
        plan.maxLevels(), plan.partialImages());
    Map<String, String> out = new LinkedHashMap<>();
    out.put(PLAN_FILE, copy.yaml());
    out.putAll(files);
    long bytes = out.values().stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
    if (bytes > MAX_FILES_BYTES) {
      throw new UserError("The load plan with its prompts and trace files is " + bytes + " bytes: the generator pods get"
          + " them as one Kubernetes Secret, which holds at most " + MAX_FILES_BYTES + " bytes. Use a shorter prompts or trace file.");
    }
    return out;
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UserError("Cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }

  /**
   * Runs generator {@code share} of level {@code level} against target {@code target}, its time zero the wall-clock
   * {@code start} (read once against {@code wall} and mapped onto {@code clock}), and prints its protocol lines to
   * {@code out}: hello, one line per request, done.
   */
  public static void run(LoadPlan plan, Path base, GeneratorShare share, int target, int level, Instant start, PrintWriter out,
      Consumer<String> progress, LoadClock clock, InstantSource wall) {
    if (target < 0 || target >= plan.targets().size()) {
      throw new UserError("--generator-target " + target + " is not a target of the plan (0.." + (plan.targets().size() - 1) + ").");
    }
    List<Level> levels = plan.levels(base);
    if (level < 0 || level >= levels.size()) {
      throw new UserError("--generator-level " + level + " is not a level of the plan (0.." + (levels.size() - 1) + ").");
    }
    Prompts prompts = plan.promptsFile() == null ? Prompts.of(plan.prompt()) : Prompts.read(base.resolve(plan.promptsFile()));
    Level mine = share.of(levels.get(level), plan, plan.durationNs());
    // before the hello: a pod whose JIT warm-up ends after the agreed start says so as being late
    if (mine != null && LoadEngine.kindFor(plan.targets().get(target), plan.http2()) == LoadEngine.Kind.NETTY) {
      JitWarmUp.once(plan, prompts, progress);
    }
    long now = clock.nanoTime();
    Instant then = wall.instant();
    long lead = (start.getEpochSecond() - then.getEpochSecond()) * 1_000_000_000L + (start.getNano() - then.getNano());
    long startNs = now + lead;
    out.println(RecordLines.hello(new RecordLines.Hello(share.generator(), share.generators(), target, level, lead)));
    out.flush();
    if (mine == null) {
      progress.accept("generator " + share.text() + " has no request of level " + levels.get(level).label());
      out.println(RecordLines.done(new RecordLines.Done(0, Double.NaN, false, 0)));
      out.flush();
      return;
    }
    progress.accept("generator " + share.text() + ": " + share.describe(levels.get(level)) + ", starting in " + lead / 1_000_000 + " ms");
    LevelRun run = new LoadRunner(plan, prompts, clock, progress).runShare(target, level, mine, plan.durationNs(), startNs,
        share.generator(), share.generators());
    List<RequestRecord> records = new ArrayList<>(run.records());
    for (RequestRecord r : records) out.println(RecordLines.record(r, startNs));
    out.println(RecordLines.done(new RecordLines.Done(records.size(), run.generatorCpu(), run.nativeTransport(), run.endNs() - startNs)));
    out.flush();
  }
}
