package io.genbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import io.genbench.execute.LocalProcessExecutor;
import io.genbench.plan.Model;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code genbench models}: the built-in architectures with their parameter counts. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = {"Lists the built-in architectures with their parameter counts.",
        "Counts are per component, as the worker counts them (it builds each on PyTorch's meta device: no memory,"
            + " no download)."})
final class ModelsCommand implements Callable<Integer> {

  @Option(names = "--python", paramLabel = "PATH", description = "interpreter for the worker (default: the first with torch)")
  String python;

  @Override
  public Integer call() throws Exception {
    JsonNode counts = null;
    String why = null;
    try {
      counts = workerCounts(LocalProcessExecutor.findPython(python));
    } catch (UserError e) {
      why = e.getMessage();
    }
    System.out.printf(Locale.ROOT, "%-48s %-8s %-6s %-11s %s%n", "model", "label", "family", "native", "parameters (M)");
    for (Model m : Model.ALL) {
      String params = "?";
      JsonNode entry = counts == null ? null : find(counts, m.id());
      if (entry != null) params = describe(entry);
      System.out.printf(Locale.ROOT, "%-48s %-8s %-6s %-11s %s%n", m.id(), m.label(), m.family().label(),
          m.family().isDiffusion() ? m.nativeResolution().toString() : "-", params);
    }
    if (why != null) System.err.println("genbench: parameter counts need the worker: " + why);
    return 0;
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

  private static JsonNode workerCounts(String python) throws IOException {
    var result = io.genbench.execute.HostCommand.run(List.of(python, "-m", "genbench_worker", "--list-models"),
        java.util.Map.of("PYTHONPATH", GenBench.workerSource().toString()), java.time.Duration.ofSeconds(120), false);
    if (result.isEmpty() || result.get().exit() != 0) {
      throw new UserError("the worker's --list-models failed (" + result.map(r -> "exit " + r.exit()).orElse("no answer in 120 s") + ")");
    }
    return Json.MAPPER.readTree(result.get().out());
  }
}
