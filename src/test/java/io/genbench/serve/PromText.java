package io.genbench.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads Prometheus text format into series → value (comments skipped), for assertions. */
final class PromText {
  private PromText() {}

  static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }
}
