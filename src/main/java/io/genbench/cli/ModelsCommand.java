package io.genbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.plan.Model;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code genbench models}: the built-in architectures with their parameter counts. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = {"Lists the built-in architectures with their parameter counts.",
        "Counts are per component, as the worker counts them (it builds each on PyTorch's meta device: no memory,"
            + " no download); they are bundled, so no Python or PyTorch is needed, and a test of genbench's own keeps"
            + " the bundled table equal to the worker's count."},
    footer = {"", "Examples:", "  genbench models", "  genbench models | grep opt"})
final class ModelsCommand implements Callable<Integer> {
  /** The worker's {@code --list-models} output, bundled: {@code {"models": [{"id": ..., "components": {...}}]}}. */
  static final String PARAMETERS = "/io/genbench/cli/model-parameters.json";

  @Override
  public Integer call() throws IOException {
    JsonNode counts = bundledCounts();
    System.out.printf(Locale.ROOT, "%-48s %-8s %-6s %-11s %s%n", "model", "label", "family", "native", "parameters (M)");
    for (Model m : Model.ALL) {
      JsonNode entry = find(counts, m.id());
      System.out.printf(Locale.ROOT, "%-48s %-8s %-6s %-11s %s%n", m.id(), m.label(), m.family().label(),
          m.family().isDiffusion() ? m.nativeResolution().toString() : "-", entry == null ? "?" : describe(entry));
    }
    return 0;
  }

  static JsonNode bundledCounts() throws IOException {
    try (InputStream in = ModelsCommand.class.getResourceAsStream(PARAMETERS)) {
      if (in == null) throw new IllegalStateException("missing resource " + PARAMETERS);
      return Json.MAPPER.readTree(in);
    }
  }

  /** The worker's entry for a model: {@code --list-models} prints {@code {"models": [{"id": ..., "components": ...}]}}. */
  private static JsonNode find(JsonNode counts, String id) {
    for (JsonNode n : counts.path("models")) if (id.equals(n.path("id").asText())) return n;
    return null;
  }

  private static String describe(JsonNode entry) {
    JsonNode components = entry.path("components");
    StringBuilder sb = new StringBuilder();
    long total = 0;
    var it = components.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().canConvertToLong()) continue;
      total += e.getValue().asLong();
      if (!sb.isEmpty()) sb.append(", ");
      sb.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.1f", e.getValue().asLong() / 1e6));
    }
    return String.format(Locale.ROOT, "%.1f total: %s", total / 1e6, sb);
  }
}
