package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Careless and hostile input at the command line: each is refused at once with its own cause, or survived. */
final class InputValidationTest {
  @TempDir
  Path tmp;

  private Path plan() {
    Path plan = tmp.resolve("plan.yaml");
    Cli made = Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "--precisions", "float32", "--batch-sizes",
        "1", "--output", plan.toString());
    assertThat(made.exitCode()).as(made.err()).isZero();
    return plan;
  }

  @Test
  void aNegativeOrZeroPriceTtlIsRefused() {
    for (String ttl : new String[] {"-1h", "0s"}) {
      Cli r = Cli.run("price", "g5.xlarge", "--offline", "--price-cache", tmp.resolve("cache").toString(), "--price-ttl", ttl);

      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--price-ttl must be positive, was \"" + ttl + "\"");
    }
  }

  @Test
  void aBadUnschedulableTimeoutIsNamedAsItself() {
    Cli r = Cli.run("run", plan().toString(), "--executor", "kubernetes", "--image", "registry.example/w:1", "--dry-run",
        "--prices", "offline", "--price-cache", tmp.resolve("cache").toString(), "--unschedulable-timeout", "banana");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot read --unschedulable-timeout \"banana\"").doesNotContain("--price-ttl");
  }

  @Test
  void aCacheEntryOfAnotherTypeOrWithNanPricesDoesNotStopPrice() throws Exception {
    Path cache = tmp.resolve("cache");
    Files.createDirectories(cache.resolve("us-east-1"));
    Files.writeString(cache.resolve("us-east-1/g5.xlarge.json"), "{\"instance_type\":\"g6e.xlarge\",\"region\":\"us-east-1\","
        + "\"ondemand_usd_per_hour\":9.9,\"spot_usd_per_hour_by_zone\":{},\"fetched_at\":\"2026-11-30T11:00:00Z\"}");
    Files.writeString(cache.resolve("us-east-1/g6e.xlarge.json"), "{\"instance_type\":\"g6e.xlarge\",\"region\":\"us-east-1\","
        + "\"ondemand_usd_per_hour\":\"NaN\",\"spot_usd_per_hour_by_zone\":{},\"fetched_at\":\"2026-11-30T11:00:00Z\"}");

    Cli r = Cli.run("price", "g5.xlarge", "g6e.xlarge", "--offline", "--price-cache", cache.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("g5.xlarge").contains("g6e.xlarge").contains("catalog (2026-11-01)").doesNotContain("9.9");
    assertThat(r.err()).contains("ignored the price cache entry " + cache.resolve("us-east-1/g5.xlarge.json")
        + ": it prices instance type \"g6e.xlarge\", not g5.xlarge")
        .contains("ignored the price cache entry " + cache.resolve("us-east-1/g6e.xlarge.json") + ": cannot read it as a quote");
  }

  private Cli suite(String... more) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("suite", "collectives", "--simulate", "--gpus", "2",
        "--out", tmp.resolve("results").toString()));
    args.addAll(java.util.List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void aSuiteConfigWhoseMinBytesExceedsMaxBytesIsRefusedNotReportedAsOk() throws Exception {
    Path cfg = Files.writeString(tmp.resolve("suite.yaml"), "min_bytes: 4096\nmax_bytes: 1024\n");

    Cli r = suite("--config", cfg.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("min_bytes 4096 is larger than max_bytes 1024 (" + cfg + ")");
    assertThat(r.out()).doesNotContain("every correctness check held");
    assertThat(tmp.resolve("results")).doesNotExist();
  }

  @Test
  void minBytesAboveMaxBytesFromTheOptionsIsRefusedToo() {
    Cli r = suite("--min-bytes", "4096", "--max-bytes", "1024");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("min_bytes 4096 is larger than max_bytes 1024 (the options and --set)");
  }

  @Test
  void aSuiteConfigKeyGivenTwiceIsRefused() throws Exception {
    Path cfg = Files.writeString(tmp.resolve("suite.yaml"), "samples: 5\nwarmup: 1\nsamples: 50\n");

    Cli r = suite("--config", cfg.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Duplicate key \"samples\" (" + cfg + " line 3)");
  }

  @Test
  void absurdOrNegativeSettingsExitTwoBeforeAnyWorkerStarts() {
    Cli huge = suite("--max-bytes", "999999999999999");
    Cli negative = suite("--set", "iterations=-1");

    assertThat(huge.exitCode()).as(huge.err()).isEqualTo(2);
    assertThat(huge.err()).contains("Bad value for \"max_bytes\" (the options and --set): 999999999999999; valid: an integer"
        + " from 1 to 17179869184 (16 GiB).");
    assertThat(negative.exitCode()).as(negative.err()).isEqualTo(2);
    assertThat(negative.err()).contains("Bad value for \"iterations\" (the options and --set): -1; valid: an integer from 1");
    assertThat(tmp.resolve("results")).as("nothing was launched").doesNotExist();
  }

  @Test
  @org.junit.jupiter.api.Timeout(20)
  void specialFilesAsPlanOrSuiteConfigExitTwoAtOnceNamingThem() throws Exception {
    Path fifo = tmp.resolve("fifo.yaml");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor()).isZero();

    Cli zero = Cli.run("run", "/dev/zero", "--out", tmp.resolve("r").toString());
    Cli pipe = Cli.run("run", fifo.toString(), "--out", tmp.resolve("r").toString());
    Cli config = suite("--config", "/dev/zero");
    Cli template = Cli.run("run", plan().toString(), "--executor", "kubernetes", "--image", "registry.example/w:1", "--dry-run",
        "--prices", "offline", "--price-cache", tmp.resolve("cache").toString(), "--job-template", fifo.toString());

    assertThat(zero.exitCode()).as(zero.err()).isEqualTo(2);
    assertThat(zero.err()).contains("Plan file /dev/zero is a character device, not a regular file").doesNotContain("Exception");
    assertThat(pipe.exitCode()).as(pipe.err()).isEqualTo(2);
    assertThat(pipe.err()).contains("Plan file " + fifo + " is a FIFO (named pipe), not a regular file");
    assertThat(config.exitCode()).as(config.err()).isEqualTo(2);
    assertThat(config.err()).contains("Suite config (--config) /dev/zero is a character device, not a regular file");
    assertThat(template.exitCode()).as(template.err()).isEqualTo(2);
    assertThat(template.err()).contains("--job-template " + fifo + " is a FIFO (named pipe), not a regular file");
  }

  @Test
  void anOutWhoseParentIsAFileSaysSoNotAlreadyExists() throws Exception {
    Path file = Files.writeString(tmp.resolve("afile"), "x");

    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--out", file.resolve("run").toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Cannot create run directory " + file.resolve("run") + ": " + file + " is a file, not a directory")
        .doesNotContain("already exists").doesNotContain("--resume");
  }

  @Test
  void aResultsFolderThatIsAFileSaysSo() throws Exception {
    Path results = Files.writeString(tmp.resolve("results"), "x");

    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--out", results.resolve("a").resolve("run").toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(results + " is a file, not a directory").doesNotContain("already exists");
  }

  @Test
  void anEmptyOutNamesNoDirectory() {
    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--out", "");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("Run directory \"\" names no directory").doesNotContain("already exists");
  }

  @Test
  void aLegal250CharacterOutNameWorks() {
    Path out = tmp.resolve("r".repeat(250));

    io.genbench.store.RunDirectory dir = io.genbench.store.RunDirectory.create(out, java.util.Map.of("plan.yaml", "x"));

    assertThat(dir.root()).isEqualTo(out);
    assertThat(out.resolve("plan.yaml")).hasContent("x");
  }

  @Test
  void aRunDirectoryThatCannotBeCreatedGivesNoResumeHint() {
    // /proc takes no new directories, even from root
    Path out = Path.of("/proc", "genbench-test-" + System.nanoTime(), "run");

    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--out", out.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("cannot create the run directory").doesNotContain("--resume").doesNotContain("finished case");
  }

  @Test
  void theResumeHintNamesTheRunDirectoryAFailedFileIsIn() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(run.resolve("plan.yaml"), "x");
    Files.createDirectories(run.resolve("cases/c1"));

    assertThat(ErrorHandler.runDirectoryOf(run.resolve("cases/c1/events.jsonl"))).isEqualTo(run);
    assertThat(ErrorHandler.runDirectoryOf(tmp.resolve("elsewhere/run"))).isNull();
  }

  @Test
  void aNegativeBudgetIsInvalidNotExceeded() {
    Cli r = Cli.run("run", plan().toString(), "--backend", "onnx", "--out", tmp.resolve("run").toString(), "--budget-usd", "-1");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--budget-usd must be a positive amount of USD").doesNotContain("exceeds");
  }

  @Test
  void compareNamesARegularFileAsAFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("notarun"), "x");

    Cli r = Cli.run("compare", file.toString(), file.toString());

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("the baseline run directory " + file + " is a file, not a directory").doesNotContain("does not exist");
  }

  /** A genbench process of its own: library logging is set up once per JVM. */
  private Cli subprocess(java.util.Map<String, String> env, String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
        "-Duser.home=" + tmp, "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench"));
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile())
        .redirectError(tmp.resolve("err.txt").toFile());
    pb.environment().remove("GENBENCH_VERBOSE");
    pb.environment().put("HOME", tmp.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("genbench did not finish in 60 s");
    }
    return new Cli(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
  }

  @Test
  void anUnusableSqliteHistoryIsOneLineAndTheDetailComesWithVerbose() throws Exception {
    Cli quiet = subprocess(java.util.Map.of(), "history", "list", "--history-url", "jdbc:sqlite:/dev/null");
    Cli verbose = subprocess(java.util.Map.of(), "history", "list", "--history-url", "jdbc:sqlite:/dev/null", "--verbose");

    assertThat(quiet.exitCode()).as(quiet.err()).isEqualTo(1);
    assertThat(quiet.err().lines().toList()).as(quiet.err()).singleElement().asString()
        .startsWith("genbench: cannot open the history store jdbc:sqlite:/dev/null");
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).contains("SQLiteException").contains("genbench: cannot open the history store");
  }
}
