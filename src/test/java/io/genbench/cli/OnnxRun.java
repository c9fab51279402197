package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** A finished one-case run of the embedded default, made once per test JVM, and copies of it that started at other times. */
final class OnnxRun {
  private static Path run;

  private OnnxRun() {}

  /** Writes the one-case plan into {@code dir} and returns its path. */
  static Path plan(Path dir) {
    Path plan = dir.resolve("history-plan.yaml");
    Cli r = Cli.run("plan", "--mode", "sd_only", "--instance-types", "m7i.large", "--batch-sizes", "1", "--resolutions",
        "64x64", "--inference-steps", "2", "--precisions", "float32", "--warmup", "1", "--min-iterations", "3",
        "--max-iterations", "1000", "--min-duration", "0.1", "--output", plan.toString(), "--force");
    assertThat(r.exitCode()).as(r.err()).isZero();
    return plan;
  }

  /** The shared finished run (not recorded in any history); copy it before changing it. */
  static synchronized Path finished() {
    if (run == null) {
      try {
        // under target/, as the tests' price cache and history: mvn clean removes it, /tmp keeps nothing
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-runs")), "history-run");
        Path out = dir.resolve("20261101-080000-history-plan");
        Cli r = Cli.run("run", plan(dir).toString(), "--backend", "onnx", "--threads", "1", "--out", out.toString(), "--no-history");
        assertThat(r.exitCode()).as(r.err()).isZero();
        run = out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return run;
  }

  /** The case id of the shared run's one case. */
  static String caseId() {
    try (var cases = Files.list(finished().resolve("cases"))) {
      return cases.toList().getFirst().getFileName().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of the shared run in {@code parent}, named {@code name}, whose environment.json says it started at {@code startedAt}. */
  static Path copy(Path parent, String name, String startedAt) {
    Path target = parent.resolve(name);
    try (var files = Files.walk(finished())) {
      for (Path f : files.toList()) {
        Path to = target.resolve(finished().relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(to);
        else Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
      }
      Path env = target.resolve("environment.json");
      ObjectNode node = (ObjectNode) Json.MAPPER.readTree(env.toFile());
      node.put("started_at", startedAt);
      Files.writeString(env, Json.PRETTY.writeValueAsString(node));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of a CSV's column, after the header. */
  static List<String> column(String csv, String name) {
    List<String> lines = csv.lines().toList();
    int index = List.of(lines.getFirst().split(",", -1)).indexOf(name);
    assertThat(index).as("column " + name + " in " + lines.getFirst()).isNotNegative();
    return lines.stream().skip(1).map(l -> l.split(",", -1)[index]).toList();
  }
}
