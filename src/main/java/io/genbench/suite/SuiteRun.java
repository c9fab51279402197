package io.genbench.suite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.env.Environment;
import io.genbench.env.HostCommand;
import io.genbench.store.RunDirectory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs an experiment: one launch per process count, raw events to {@code suite.jsonl}, then the views. The run
 * directory holds {@code environment.json}, {@code suite.jsonl} (raw, the source of truth), {@code suite.log},
 * {@code results.json}, one CSV per record kind and {@code report.md}, every view written atomically.
 *
 * @param name the experiment's label, or the set's ({@code quick}, {@code comprehensive})
 * @param steps the launches, in order
 */
public record SuiteRun(String name, List<Step> steps, boolean simulate, Duration timeout, String python, Path workerSource) {

  /** One launch: an experiment on {@code processes} ranks with its settings. */
  public record Step(Experiment experiment, int processes, ObjectNode config) {}

  public static final String EVENTS = "suite.jsonl";
  public static final String LOG = "suite.log";
  public static final String RESULTS = "results.json";
  public static final String REPORT = "report.md";
  /** The charts report.md shows, beside it. */
  public static final String CHARTS = "charts";

  public SuiteRun {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) throw new IllegalArgumentException("no launch");
  }

  /** One experiment, once per process count, with the same settings. */
  public static SuiteRun of(Experiment experiment, List<Integer> processCounts, boolean simulate, ObjectNode config,
      Duration timeout, String python, Path workerSource) {
    return new SuiteRun(experiment.label(), processCounts.stream().map(n -> new Step(experiment, n, config)).toList(),
        simulate, timeout, python, workerSource);
  }

  /** GPUs on this host by {@code nvidia-smi -L}; 0 when it is absent or fails. */
  public static int detectGpus() {
    return HostCommand.output(List.of("nvidia-smi", "-L"), Duration.ofSeconds(20))
        .map(out -> (int) out.lines().filter(l -> l.startsWith("GPU ")).count()).orElse(0);
  }

  /** A fresh directory {@code root/<yyyyMMdd-HHmmss>-suite-<experiment>} (a suffix when taken). */
  public Path newDirectory(Path root) {
    String base = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-suite-" + name;
    Path dir = root.resolve(base);
    for (int i = 2; Files.exists(dir); i++) dir = root.resolve(base + "-" + i);
    return dir;
  }

  public SuiteReport run(Path dir, Path home, List<String> commandLine, PrintStream progress) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
    ObjectNode settings = Json.MAPPER.createObjectNode().put("experiment", name).put("simulate", simulate);
    var plan = settings.putArray("steps");
    for (Step s : steps) {
      plan.addObject().put("experiment", s.experiment().label()).put("processes", s.processes()).set("config", s.config());
    }
    RunDirectory.writeAtomic(dir.resolve(RunDirectory.ENVIRONMENT),
        Environment.capture(home, "torch", python, steps.get(0).config().path("seed").asLong(0), settings, commandLine).toPrettyString());
    Path events = dir.resolve(EVENTS);
    Launcher.append(events, Json.MAPPER.createObjectNode().put("type", "suite_plan").put("name", name)
        .put("launches", steps.size()).toString());
    int k = 0;
    for (Step s : steps) {
      k++;
      String what = s.experiment().label() + (steps.size() > 1 ? " [" + k + "/" + steps.size() + "]" : "");
      progress.printf("suite %s: %d %s ...%n", what, s.processes(), simulate ? "CPU process(es), gloo" : "GPU(s), nccl");
      Launcher.Outcome o = Launcher.run(new Launch(python, workerSource, s.experiment(), s.processes(), simulate, s.config(),
          timeout), events, dir.resolve(LOG));
      progress.printf("suite %s: %d -> %s%n", what, s.processes(),
          o.timedOut() ? "timeout (process tree killed)" : "exit " + o.exitCode());
    }
    return writeViews(dir);
  }

  /** Rebuilds every view of {@code dir} from its {@code suite.jsonl}. */
  public static SuiteReport writeViews(Path dir) {
    SuiteReport report = SuiteReport.read(dir.resolve(EVENTS));
    RunDirectory.writeAtomic(dir.resolve(RESULTS), Figures.json(report.resultsJson()));
    for (Map.Entry<String, String> csv : report.csvFiles().entrySet()) RunDirectory.writeAtomic(dir.resolve(csv.getKey()), csv.getValue());
    SuiteCharts charts = report.charts();
    Map<String, String> svg = new java.util.LinkedHashMap<>();
    charts.drawn().forEach(c -> svg.put(c.name() + ".svg", c.document()));
    RunDirectory.replaceFiles(dir.resolve(CHARTS), svg, ".svg");
    RunDirectory.writeAtomic(dir.resolve(REPORT), report.markdown(charts));
    return report;
  }

  static String counts(List<Integer> counts) {
    return counts.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
