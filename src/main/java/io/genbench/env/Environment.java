package io.genbench.env;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Captures {@code environment.json}: genbench version and commit, Java, OS, CPU, memory, GPUs and driver (through
 * {@code nvidia-smi} when present), the backend and its library versions, the seed, and the command line
 * (credentials in it masked by {@link io.genbench.Secrets}).
 */
public final class Environment {
  private Environment() {}

  /** The genbench version of this build. */
  public static String version() {
    String v = Environment.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }

  /**
   * The resource the build writes ({@code pom.xml}, generate-resources): {@code git_commit=} the commit it was built
   * from ({@code -dirty} with local changes), or {@code unknown} when it was built without a .git.
   */
  static final String BUILD_PROPERTIES = "build.properties";

  /**
   * The git commit this genbench was built from, {@code -dirty} when it had local changes: as the build recorded it
   * (so a tree copied without its .git, or a checkout moved on since, still says what runs), else, for a build that
   * did not record it (an IDE's), asked of git at {@code home}; {@code unknown} when neither knows.
   */
  public static String gitCommit(Path home) {
    return gitCommit(home, builtCommit());
  }

  /** The commit {@link #BUILD_PROPERTIES} holds, or null when the build wrote none. */
  static String builtCommit() {
    try (java.io.InputStream in = Environment.class.getResourceAsStream(BUILD_PROPERTIES)) {
      if (in == null) return null;
      java.util.Properties p = new java.util.Properties();
      p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
      String commit = p.getProperty("git_commit", "").strip();
      return commit.isEmpty() ? null : commit;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** {@code built} (recorded at build time) when there is one, else git's answer at {@code home}. */
  static String gitCommit(Path home, String built) {
    if (built != null) return built;
    String commit = run(List.of("git", "-C", home.toString(), "rev-parse", "HEAD"));
    if (commit == null) return "unknown";
    String status = run(List.of("git", "-C", home.toString(), "status", "--porcelain", "--untracked-files=no"));
    return status != null && !status.isBlank() ? commit + "-dirty" : commit;
  }

  /**
   * @param settings the plan's measurement settings, as an object (warmup_iterations, min_iterations, ...)
   */
  public static ObjectNode capture(Path home, String backend, String backendVersion, long seed, ObjectNode settings,
      List<String> commandLine) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("genbench_version", version());
    n.put("git_commit", gitCommit(home));
    n.put("started_at", Instant.now().toString());
    n.set("settings", settings);
    n.putArray("command_line").addAll(io.genbench.Secrets.redact(commandLine).stream().map(Json.MAPPER.getNodeFactory()::textNode).toList());
    n.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
        + System.getProperty("java.vm.name") + ")");
    n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    ObjectNode cpu = n.putObject("cpu");
    cpu.put("model", HostInfo.cpuModel());
    cpu.put("logical_cores", Runtime.getRuntime().availableProcessors());
    n.put("memory_bytes", HostInfo.memoryBytes());
    n.put("hostname", HostInfo.hostname());
    ArrayNode gpus = n.putArray("gpus");
    String smi = run(List.of("nvidia-smi", "--query-gpu=index,name,memory.total,driver_version", "--format=csv,noheader,nounits"));
    if (smi != null) {
      for (String line : smi.strip().split("\n")) {
        String[] f = line.split(",\\s*");
        if (f.length < 4) continue;
        ObjectNode g = gpus.addObject();
        g.put("index", f[0].trim());
        g.put("name", f[1].trim());
        g.put("memory_mib", f[2].trim());
        g.put("driver", f[3].trim());
      }
    }
    n.put("backend", backend);
    n.put("backend_library", backendVersion);
    n.put("seed", seed);
    return n;
  }

  /** Runs a short command; its stdout, or null when it is missing, fails or hangs. */
  static String run(List<String> command) {
    return HostCommand.output(command, java.time.Duration.ofSeconds(10)).map(String::trim).orElse(null);
  }
}
