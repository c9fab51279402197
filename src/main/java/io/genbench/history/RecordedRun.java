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
 * @param run the run
 * @param cases its finished cases, in plan order
 */
public record RecordedRun(RunRecord run, List<CaseRecord> cases) {
  public RecordedRun {
    Objects.requireNonNull(run, "run");
    cases = List.copyOf(cases);
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
