package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed example run directory rebuilds byte-identical with {@code genbench report}: its views are derived from
 * its stored events (the flat {@code case} events of runs before the CASE groups included), so a change of how a case
 * is typed or read must not change one byte of them.
 */
final class ExampleRunsRebuildTest {

  static List<Path> examples() throws Exception {
    try (Stream<Path> dirs = Files.list(Path.of("bench"))) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("example-") && Files.isDirectory(d)).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void rebuildsByteIdentical(Path example, @TempDir Path tmp) throws Exception {
    Path copy = tmp.resolve(example.getFileName().toString()); // its name is the run id the views show
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(example)) {
      for (Path f : all.toList()) {
        Path target = copy.resolve(example.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
          files.add(example.relativize(f));
        }
      }
    }

    Cli out = Cli.run("report", copy.toString());

    assertThat(out.exitCode()).as(out.toString()).isZero();
    for (Path f : files) {
      assertThat(Files.mismatch(example.resolve(f), copy.resolve(f))).as(example.resolve(f) + " rebuilt").isEqualTo(-1L);
    }
  }
}
