package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden/}. Run with {@code -Dgenbench.golden.update=true} to rewrite
 * them from the current output, then read the diff before committing.
 */
final class Golden {
  private Golden() {}

  static void assertMatches(String name, String actual) {
    if (Boolean.getBoolean("genbench.golden.update")) {
      try {
        Path file = Path.of("src/test/resources/golden", name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    assertThat(actual).isEqualTo(read(name));
  }

  static String read(String name) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) throw new AssertionError("missing golden file golden/" + name + "; run with -Dgenbench.golden.update=true");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
