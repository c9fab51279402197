package io.genbench.suite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One start of the worker under PyTorch's launcher: {@code processes} ranks on this host, rendezvous on loopback.
 *
 * @param python the interpreter with torch
 * @param workerSource the worker's package directory (PYTHONPATH entry)
 * @param processes ranks to start (one per GPU; CPU processes under {@code simulate}), ≥ 1
 * @param config the experiment's settings, passed as {@code --config JSON}
 * @param timeout past it the whole process tree is killed
 */
public record Launch(String python, Path workerSource, Experiment experiment, int processes, boolean simulate,
    ObjectNode config, Duration timeout) {

  public Launch {
    if (processes < 1) throw new IllegalArgumentException("processes must be >= 1, was " + processes);
  }

  /** The command line, with the rendezvous on 127.0.0.1:{@code port}. */
  public List<String> command(int port) {
    List<String> c = new ArrayList<>(List.of(python, "-m", "genbench_worker.suite.torchrun",
        "--nproc_per_node", Integer.toString(processes), "--nnodes", "1",
        "--master_addr", "127.0.0.1", "--master_port", Integer.toString(port),
        "-m", "genbench_worker.suite", experiment.label(), "--config", Json.MAPPER.valueToTree(config).toString()));
    if (simulate) c.add("--simulate");
    return c;
  }

  /** Environment additions: the worker first on PYTHONPATH, then whatever the user's adds. */
  public Map<String, String> environment(String inheritedPythonPath) {
    String path = workerSource.toString() + (inheritedPythonPath == null || inheritedPythonPath.isBlank() ? "" : ":" + inheritedPythonPath);
    return simulate ? Map.of("PYTHONPATH", path, "CUDA_VISIBLE_DEVICES", "") : Map.of("PYTHONPATH", path);
  }
}
