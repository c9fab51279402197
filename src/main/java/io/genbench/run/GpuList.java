package io.genbench.run;

import io.genbench.UserError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The GPUs {@code genbench run --gpus} spreads a plan over: {@code all}, or indexes such as {@code 0,1}. */
public final class GpuList {
  private GpuList() {}

  /**
   * @param value the option's value
   * @param option where it came from, for errors
   * @param detect the host's GPU indexes, empty when none can be listed
   */
  public static List<String> parse(String value, String option, Supplier<Optional<List<String>>> detect) {
    String v = value.strip();
    if (v.equalsIgnoreCase("all")) {
      List<String> found = detect.get().orElseThrow(() -> new UserError(option + " all: nvidia-smi lists no GPU on this host"
          + " (not installed, or no NVIDIA driver). Name the GPUs (e.g. " + option + " 0,1), or leave " + option + " out to"
          + " run one worker at a time."));
      if (found.isEmpty()) throw new UserError(option + " all: nvidia-smi lists no GPU on this host.");
      return found;
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String part : v.split(",", -1)) {
      String p = part.strip();
      if (!p.matches("\\d{1,3}")) {
        throw new UserError(option + " \"" + value + "\": \"" + p + "\" is not a GPU index. Give all, or indexes as nvidia-smi"
            + " numbers them, comma-separated (e.g. 0,1).");
      }
      String canonical = Integer.toString(Integer.parseInt(p));
      if (!seen.add(canonical)) throw new UserError(option + " \"" + value + "\": GPU " + canonical + " is named twice.");
    }
    return new ArrayList<>(seen);
  }

  /** The indexes nvidia-smi lists, or empty when it cannot run. */
  public static Optional<List<String>> detect() {
    return io.genbench.env.HostCommand.output(List.of("nvidia-smi", "--query-gpu=index", "--format=csv,noheader"),
            Duration.ofSeconds(20))
        .map(out -> out.lines().map(String::strip).filter(l -> l.matches("\\d+")).toList());
  }
}
