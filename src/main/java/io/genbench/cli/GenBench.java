package io.genbench.cli;

import io.genbench.Labeled;
import io.genbench.UserError;
import io.genbench.cost.Lifecycle;
import io.genbench.env.Environment;
import io.genbench.execute.Backend;
import io.genbench.execute.ExecutorKind;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code genbench}: latency, throughput, memory and cost of generative-model inference. */
@Command(name = "genbench", mixinStandardHelpOptions = true, versionProvider = GenBench.Version.class,
    description = {"Measures how fast, how big and how expensive generative-model inference is: Stable Diffusion, SDXL,"
        + " Stable Video Diffusion and LLMs, on GPUs (PyTorch worker) or the embedded ONNX default (CPU).", ""},
    footer = {"", "Examples:", "  genbench plan --mode sd_only --output plan.yaml", "  genbench run plan.yaml",
        "  genbench report results/20261121-101500-plan --format html > report.html",
        "  genbench compare results/20261121-101500-plan results/20261122-093000-plan --fail-on-regression 5%%",
        "  genbench best results/20261121-101500-plan --p95-ms 1000 --max-memory-gb 24 --lifecycle spot",
        "  genbench price g5.xlarge g6e.xlarge",
        "  genbench serve --model sd-2-1 --port 8000",
        "  genbench load http://127.0.0.1:8000 --api openai-images --profile 'poisson 0.5' --duration 60",
        "  genbench models", "  genbench history trend sd-2-1-g5xlarge-b1-s20-float16 --chart trend.svg", "", "Exit codes: 0 every case succeeded or ran out of GPU memory (a finding); 1 internal or I/O error (the file",
        "is named); 2 bad usage or config, nothing the backend can run, or a run directory in use (nothing was run);",
        "3 the run finished but some cases failed or were skipped (best: nothing meets the constraints); 4 compare",
        "--fail-on-regression found a regression."})
public final class GenBench {

  static {
    // libraries (Flyway, the AWS SDK, fabric8) log through slf4j-simple to stderr: a failing SQLite file printed 366
    // lines of stack traces, a slow price endpoint 255 lines of retry warnings. genbench says what went wrong in one
    // line of its own; their detail is for --verbose (or GENBENCH_VERBOSE=1). Set before any library logs.
    quietLibraries(!verbose());
  }

  private static volatile boolean verboseOption;

  /** {@code --verbose}, on any command: stack traces and library warnings on stderr. */
  @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "print stack traces and"
      + " the warnings of libraries (AWS SDK, Flyway) on stderr (also GENBENCH_VERBOSE=1)")
  void verbose(boolean on) {
    if (!on) return;
    verboseOption = true;
    quietLibraries(false);
  }

  /** True with {@code --verbose} or GENBENCH_VERBOSE set (not 0 or empty). */
  static boolean verbose() {
    String env = System.getenv("GENBENCH_VERBOSE");
    return verboseOption || (env != null && !env.isBlank() && !env.equals("0"));
  }

  /** slf4j-simple (Flyway, the AWS SDK, fabric8) and java.util.logging (what commons-logging falls back to). */
  private static void quietLibraries(boolean quiet) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", quiet ? "off" : "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", quiet ? "off" : "warn");
    java.util.logging.Logger.getLogger("").setLevel(quiet ? java.util.logging.Level.OFF : java.util.logging.Level.WARNING);
  }

  /** The subcommands, in the order {@code genbench --help} lists them. */
  static final List<Class<?>> SUBCOMMANDS = List.of(PlanCommand.class, RunCommand.class, ReportCommand.class, CompareCommand.class,
      BestCommand.class, SuiteCommand.class, ModelsCommand.class, PriceCommand.class, LoadCommand.class, ServeCommand.class,
      HistoryCommand.class, CommandLine.HelpCommand.class);

  public static void main(String[] args) {
    System.exit(execute(commandLine(args), args));
  }

  /**
   * Runs a command, then checks that what it printed reached standard output: {@code genbench plan > /dev/full} or a
   * closed pipe must not exit 0 with the output lost. PrintStream swallows write errors, so they are read back here,
   * once for every command, after a flush.
   */
  static int execute(CommandLine cl, String... args) {
    int code = cl.execute(args);
    cl.getOut().flush();
    System.out.flush();
    if (cl.getOut().checkError() | System.out.checkError()) {
      System.err.println("genbench: cannot write to standard output (a full disk, or a pipe closed by the reader?): what"
          + " this command printed is incomplete.");
      return code == 0 ? ErrorHandler.INTERNAL : code;
    }
    return code;
  }

  /** Columns of --help: wide enough that no option's description splits a name (an instance type, a path). */
  static final int HELP_WIDTH = 120;

  /** genbench with every subcommand (help, usage errors, tests). */
  static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * genbench for {@code args}: with only the subcommand {@code args} starts with, when it names one (not {@code help}),
   * else with all of them. picocli reads a command's options by reflection when it is added, and all eleven took 0.16-0.2 s of each
   * start on the 2-core VM, before a run could start its worker (issue 18: the time to the first measured event).
   */
  static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new GenBench());
    Class<?> named = args.length == 0 ? null : SUBCOMMANDS.stream().filter(c -> c != CommandLine.HelpCommand.class && names(c).contains(args[0]))
        .findFirst().orElse(null);  // help names another command: all of them
    for (Class<?> c : named != null ? List.<Class<?>>of(named) : SUBCOMMANDS) {
      try {
        cl.addSubcommand(CommandLine.defaultFactory().create(c));
      } catch (Exception e) {
        throw new IllegalStateException("cannot make the " + c.getSimpleName() + " command", e);
      }
    }
    ErrorHandler handler = new ErrorHandler();
    cl.setExecutionExceptionHandler(handler);
    cl.setParameterExceptionHandler(handler);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // the closed sets options take, converted by their one label parser: its message names the value and the valid
    // labels as users type them (picocli's own lists the constants' names in capitals)
    labeled(cl, Backend.class, "backend");
    labeled(cl, ExecutorKind.class, "executor");
    labeled(cl, Lifecycle.class, "lifecycle");
    // at picocli's default 80 columns its line breaker split names at their dots (g6e./xlarge, ~/./cache)
    cl.setUsageHelpWidth(HELP_WIDTH);
    CommandLine plan = cl.getSubcommands().get("plan");
    if (plan != null) plan.getCommandSpec().usageMessage().footer(PlanCommand.footer());
    return cl;
  }

  /** A subcommand class's name and aliases, from its annotation. */
  private static List<String> names(Class<?> command) {
    Command c = command.getAnnotation(Command.class);
    List<String> all = new java.util.ArrayList<>(List.of(c.aliases()));
    all.add(c.name());
    return all;
  }

  private static <E extends Enum<E> & Labeled> void labeled(CommandLine cl, Class<E> type, String what) {
    cl.registerConverter(type, value -> {
      try {
        return Labeled.parseIgnoringCase(type, value, what, null);
      } catch (UserError e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    });
  }

  /** Where genbench is installed: the launcher sets {@code genbench.home}; else the working directory. */
  static Path home() {
    String home = System.getProperty("genbench.home");
    return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
  }

  /** The worker's Python package directory (PYTHONPATH entry) in this installation. */
  static Path workerSource() {
    return home().resolve("worker/src");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"genbench " + Environment.version() + " (" + Environment.gitCommit(home()) + ")"};
    }
  }
}
