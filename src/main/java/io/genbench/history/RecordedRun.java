package io.genbench.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.plan.Plan;
import io.genbench.plan.PlanFile;
import io.genbench.result.CaseResult;
import io.genbench.store.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the history records of one run: the run and its finished cases, read from the run directory (plan.yaml,
 * environment.json) and the cases' results. Recording it again replaces it: its key depends only on what does not
 * change after the run started.
 *
 * <p>A load run ({@code genbench load}) is recorded from its {@code load.yaml} and {@code results.json}: one run of kind
 * {@code load}, its levels in place of cases.
 *
 * @param run the run
 * @param cases its finished cases, in plan order (none for a load run)
 * @param levels a load run's levels, in the order they ran (none for a case run)
 */
public record RecordedRun(RunRecord run, List<CaseRecord> cases, List<LoadLevelRecord> levels) {
  /** The files that make a directory a load run's, as genbench load writes them. */
  public static final List<String> LOAD_FILES = List.of("load.yaml", "results.json", "requests.csv");

  public RecordedRun {
    Objects.requireNonNull(run, "run");
    cases = List.copyOf(cases);
    levels = List.copyOf(levels);
  }

  /** A case run's record. */
  public RecordedRun(RunRecord run, List<CaseRecord> cases) {
    this(run, cases, List.of());
  }

  /** Whether {@code dir} holds a load run ({@link #LOAD_FILES}). */
  public static boolean isLoadRun(Path dir) {
    return LOAD_FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
  }

  /**
   * The record of the load run in {@code dir}: its start and end, host and levels from results.json (runs written before
   * results.json carried a start: load.yaml's modification time), the plan's hash from load.yaml's bytes.
   *
   * @throws UserError when results.json or load.yaml cannot be read
   */
  public static RecordedRun ofLoad(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    Path planFile = root.resolve("load.yaml");
    Path resultsFile = root.resolve("results.json");
    byte[] planBytes;
    JsonNode results;
    try {
      planBytes = Files.readAllBytes(planFile);
      results = Json.MAPPER.readTree(resultsFile.toFile());
    } catch (IOException e) {
      throw new UserError("Cannot read the load run " + root + " (load.yaml, results.json): " + e.getMessage());
    }
    String runId = root.getFileName().toString();
    String startedText = text(results, "started_at");
    Instant started = instant(startedText);
    if (started == null) started = modified(planFile);
    String host = text(results, "host");
    JsonNode plan = results.path("plan");
    String planName = (plan.path("api").asText("") + " " + plan.path("profile").asText("")).strip();
    List<LoadLevelRecord> levels = new java.util.ArrayList<>();
    for (JsonNode l : results.path("levels")) {
      levels.add(new LoadLevelRecord(l.path("target").asInt(), l.path("url").asText(""), l.path("level").asText(""),
          real(l, "offered_rps"), l.path("concurrency").asInt(), l.path("requests").asInt(), l.path("ok").asInt(),
          errorRate(l), real(l, "achieved_rps"), ms(l, "response_ns", "p50"), ms(l, "response_ns", "p95"),
          ms(l, "response_ns", "p99"), ms(l, "ttft_ns", "p50"), ms(l, "ttft_ns", "p99"), ms(l, "tpot_ns", "p50"),
          real(l, "images_per_s"), real(l, "tokens_per_s"),
          l.path("valid").isBoolean() ? (l.path("valid").asBoolean() ? "VALID" : "INVALID") : null,
          l.path("slo_pass").isBoolean() ? (l.path("slo_pass").asBoolean() ? "pass" : "fail") : null));
    }
    int valid = (int) levels.stream().filter(l -> "VALID".equals(l.verdict())).count();
    var run = new RunRecord(key(runId, startedText, host), runId, root.toString(), started, instant(text(results, "finished_at")),
        null, null, host, text(results, "genbench_version"), null, planName.isEmpty() ? null : planName, sha256(planBytes),
        levels.size(), levels.size(), valid, RunRecord.LOAD);
    return new RecordedRun(run, List.of(), levels);
  }

  private static Double real(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || !v.isNumber() ? null : v.asDouble();
  }

  private static Double ms(JsonNode level, String metric, String quantile) {
    JsonNode v = level.path(metric).get(quantile);
    return v == null || !v.isNumber() ? null : v.asLong() / 1e6;
  }

  private static Double errorRate(JsonNode level) {
    int requests = level.path("requests").asInt();
    return requests == 0 ? null : (requests - level.path("ok").asInt()) / (double) requests;
  }

  /**
   * The record of the run in {@code dir} with these finished results (as {@code RunViews} derives them).
   *
   * @throws UserError when plan.yaml cannot be read
   */
  public static RecordedRun of(RunDirectory dir, List<CaseResult> results) {
    Path root = dir.root().toAbsolutePath().normalize();
    String runId = root.getFileName().toString();
    JsonNode env = environment(dir);
    Path planFile = dir.file(RunDirectory.PLAN);
    byte[] planBytes;
    try {
      planBytes = Files.readAllBytes(planFile);
    } catch (IOException e) {
      throw new UserError("Cannot read " + planFile + ": " + e.getMessage());
    }
    Plan plan = PlanFile.read(planFile);
    String startedText = text(env, "started_at");
    Instant started = instant(startedText);
    if (started == null) started = modified(planFile); // a run from before environment.json: its plan was written at its start
    String host = text(env, "hostname") != null ? text(env, "hostname") : text(env, "host");
    String device = text(env, "device") != null ? text(env, "device") : joined(results.stream().map(CaseResult::device).toList());
    String backend = text(env, "backend") != null ? text(env, "backend") : joined(results.stream().map(CaseResult::backend).toList());
    String planName = planName(env);
    if (planName == null && plan.mode() != null) planName = plan.mode().label();
    int success = (int) results.stream().filter(r -> r.outcome() instanceof CaseResult.Measured).count();
    var run = new RunRecord(key(runId, startedText, host), runId, root.toString(), started, instant(text(env, "finished_at")),
        backend, device, host, text(env, "genbench_version"), text(env, "git_commit"), planName, sha256(planBytes),
        plan.cases().size(), results.size(), success);
    return new RecordedRun(run, results.stream().map(CaseRecord::of).toList());
  }

  /**
   * The run's key: the first 32 hex digits of SHA-256 over its id, its recorded start time and its host. Stable under
   * --resume (environment.json keeps its start), {@code genbench report} and moving the directory; distinct for two
   * runs written to the same directory name.
   */
  static String key(String runId, String startedAt, String host) {
    String identity = runId + "\n" + Objects.toString(startedAt, "") + "\n" + Objects.toString(host, "");
    return sha256(identity.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
  }

  private static JsonNode environment(RunDirectory dir) {
    Path file = dir.file(RunDirectory.ENVIRONMENT);
    if (!Files.exists(file)) return null;
    try {
      return Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      return null; // a torn environment.json costs the run's metadata, not its record
    }
  }

  /** The plan file's name without extension, from the command line that started the run. */
  private static String planName(JsonNode env) {
    JsonNode cmd = env == null ? null : env.get("command_line");
    if (cmd == null || !cmd.isArray()) return null;
    for (int i = 2; i < cmd.size(); i++) { // genbench run PLAN ...
      String arg = cmd.get(i).asText();
      String previous = cmd.get(i - 1).asText();
      // the only other YAML a run takes is --job-template's
      if (!arg.startsWith("-") && !previous.equals("--job-template") && arg.matches(".*\\.(ya?ml|json)")) {
        return Path.of(arg).getFileName().toString().replaceAll("\\.(ya?ml|json)$", "");
      }
    }
    return null;
  }

  private static String text(JsonNode env, String key) {
    JsonNode n = env == null ? null : env.get(key);
    return n == null || n.isNull() || !n.isValueNode() || n.asText().isBlank() ? null : n.asText();
  }

  private static Instant instant(String text) {
    if (text == null) return null;
    try {
      return Instant.parse(text).truncatedTo(ChronoUnit.SECONDS);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Instant modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS);
    } catch (IOException e) {
      return Instant.EPOCH;
    }
  }

  private static String joined(List<String> values) {
    String s = values.stream().filter(Objects::nonNull).distinct().collect(Collectors.joining(", "));
    return s.isEmpty() ? null : s;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
