package io.genbench.cli;

import io.genbench.env.Environment;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code genbench}: latency, throughput, memory and cost of generative-model inference. */
@Command(name = "genbench", mixinStandardHelpOptions = true, versionProvider = GenBench.Version.class,
    description = {"Measures how fast, how big and how expensive generative-model inference is: Stable Diffusion, SDXL,"
        + " Stable Video Diffusion and LLMs, on GPUs (PyTorch worker) or the embedded ONNX default (CPU).", ""},
    subcommands = {PlanCommand.class, RunCommand.class, ReportCommand.class, CompareCommand.class, BestCommand.class, SuiteCommand.class, ModelsCommand.class, PriceCommand.class,
        HistoryCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  genbench plan --mode sd_only --output plan.yaml", "  genbench run plan.yaml",
        "  genbench report results/20261121-101500-plan --format html > report.html",
        "  genbench compare results/20261121-101500-plan results/20261122-093000-plan --fail-on-regression 5%%",
        "  genbench best results/20261121-101500-plan --p95-ms 1000 --max-memory-gb 24 --lifecycle spot",
        "  genbench price g5.xlarge g6e.xlarge",
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

  public static void main(String[] args) {
    System.exit(execute(commandLine(), args));
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

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new GenBench());
    ErrorHandler handler = new ErrorHandler();
    cl.setExecutionExceptionHandler(handler);
    cl.setParameterExceptionHandler(handler);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // picocli would name the constants (AUTO, ONNX, ...): the options take and list the labels
    labels(cl, io.genbench.execute.Backend.class, "backend");
    labels(cl, io.genbench.execute.ExecutorKind.class, "executor");
    labels(cl, io.genbench.cost.Lifecycle.class, "lifecycle");
    // at picocli's default 80 columns its line breaker split names at their dots (g6e./xlarge, ~/./cache)
    cl.setUsageHelpWidth(HELP_WIDTH);
    cl.getSubcommands().get("plan").getCommandSpec().usageMessage().footer(PlanCommand.footer());
    return cl;
  }

  /** An option of type {@code type} takes its labels, in any case; an unknown one is named with the valid labels. */
  private static <E extends Enum<E> & io.genbench.Labeled> void labels(CommandLine cl, Class<E> type, String what) {
    cl.registerConverter(type, value -> {
      try {
        return io.genbench.Labeled.parseIgnoringCase(type, value, what, null);
      } catch (io.genbench.UserError e) {
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
