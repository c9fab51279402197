package io.genbench.run;

import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.plan.Plan;
import io.genbench.plan.TestCase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run was created from, kept in run-options.json so {@code --resume} can tell an edited plan.yaml: the SHA-256 of
 * the file, of the plan's settings, and of each case (id → SHA-256 of the case as the plan defines it).
 *
 * @param sha256 SHA-256 (hex) of plan.yaml's bytes
 * @param settingsSha256 SHA-256 (hex) of the plan's settings (warm-up, iterations, duration, timeout, seed)
 * @param cases case id → SHA-256 (hex) of that case's settings, in plan order
 */
public record PlanFingerprint(String sha256, String settingsSha256, Map<String, String> cases) {

  public static PlanFingerprint of(byte[] planFile, Plan plan) {
    Map<String, String> cases = new LinkedHashMap<>();
    for (TestCase c : plan.cases()) cases.put(c.id(), sha256(json(c)));
    return new PlanFingerprint(sha256(planFile), sha256(json(plan.settings())), cases);
  }

  /**
   * Refuses to resume from a plan.yaml that is not the one the run was created from, naming what changed: the cases
   * added, removed or with other settings, and the plan's settings. Nothing to compare when the run predates the
   * fingerprint ({@code stored} null): it resumes as before.
   */
  public static void requireUnchanged(PlanFingerprint stored, PlanFingerprint now, Path planFile) {
    if (stored == null || stored.sha256() == null || stored.sha256().equals(now.sha256())) return;
    List<String> what = new ArrayList<>();
    if (stored.cases() != null) {
      List<String> added = now.cases().keySet().stream().filter(id -> !stored.cases().containsKey(id)).toList();
      List<String> removed = stored.cases().keySet().stream().filter(id -> !now.cases().containsKey(id)).toList();
      List<String> changed = now.cases().entrySet().stream()
          .filter(e -> stored.cases().containsKey(e.getKey()) && !stored.cases().get(e.getKey()).equals(e.getValue()))
          .map(Map.Entry::getKey).toList();
      if (!added.isEmpty()) what.add("cases added: " + String.join(", ", added));
      if (!removed.isEmpty()) what.add("cases removed: " + String.join(", ", removed));
      if (!changed.isEmpty()) what.add("cases with changed settings: " + String.join(", ", changed));
    }
    if (stored.settingsSha256() != null && !stored.settingsSha256().equals(now.settingsSha256())) {
      what.add("the plan's settings (warm-up, iterations, duration, timeout or seed)");
    }
    if (what.isEmpty()) what.add("its text only (the same cases and settings)");
    throw new UserError(planFile + " changed since the run was created (SHA-256 " + stored.sha256() + ", now " + now.sha256()
        + "): " + String.join("; ", what) + ". Resuming would mix results of two plans in one report. Restore the plan it"
        + " was created with, or start a new run: genbench run PLAN.");
  }

  private static String json(Object value) {
    return Json.MAPPER.valueToTree(value).toString();
  }

  private static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }
}
