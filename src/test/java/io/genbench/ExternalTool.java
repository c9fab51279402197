package io.genbench;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A real program an acceptance test runs beside genbench (prometheus, node), as scripts/tools.sh installs and names it:
 * the environment variable first, then the PATH and Debian's sbin folders. Absent, the test is skipped, or fails when
 * {@code GENBENCH_REQUIRE_TOOLS=1} (scripts/test sets it after installing them).
 */
public final class ExternalTool {
  private ExternalTool() {}

  /** The program's path, or the test is skipped (failed under GENBENCH_REQUIRE_TOOLS=1). */
  public static Path require(String envVar, String program) {
    Optional<Path> found = find(envVar, program);
    if (found.isPresent()) return found.get();
    String why = program + " not found (set " + envVar + ", or install it: . scripts/tools.sh; ensure_test_tools)";
    if ("1".equals(System.getenv("GENBENCH_REQUIRE_TOOLS"))) fail(why + "; GENBENCH_REQUIRE_TOOLS=1 makes this a failure");
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  /** A folder an environment variable names (e.g. GENBENCH_NODE_PATH), or the first existing fallback; else skip/fail. */
  public static Path requireDirectory(String envVar, List<Path> fallbacks, String what) {
    String set = System.getenv(envVar);
    if (set != null && !set.isBlank()) {
      Path p = Path.of(set);
      if (Files.isDirectory(p)) return p;
      fail(envVar + "=" + set + " is not a folder (" + what + ")");
    }
    for (Path p : fallbacks) if (Files.isDirectory(p)) return p;
    String why = what + " not found (set " + envVar + ", or install it: . scripts/tools.sh; ensure_test_tools)";
    if ("1".equals(System.getenv("GENBENCH_REQUIRE_TOOLS"))) fail(why + "; GENBENCH_REQUIRE_TOOLS=1 makes this a failure");
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  static Optional<Path> find(String envVar, String program) {
    String set = System.getenv(envVar);
    if (set != null && !set.isBlank()) {
      Path p = Path.of(set);
      if (!Files.isExecutable(p)) fail(envVar + "=" + set + " is not an executable file");
      return Optional.of(p);
    }
    String path = System.getenv("PATH");
    List<String> dirs = new java.util.ArrayList<>(path == null ? List.of() : List.of(path.split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }
}
