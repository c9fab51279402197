package io.genbench.run;

import io.genbench.cost.Lifecycle;
import io.genbench.cost.PriceSettings;
import io.genbench.execute.Backend;
import io.genbench.execute.ExecutorKind;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What {@code genbench run} was asked to do: its options, typed, as given (the {@link RunStage} checks them together,
 * and a resumed run adopts the options it was started with).
 *
 * @param planFile the plan, or null with {@code resume}
 * @param resume the run directory to finish, or null
 * @param retryFailed with resume: run the cases that failed for a reason of the run again
 * @param backend the backend, {@link Backend#AUTO} to choose by the host
 * @param out the run directory of a new run, or null for {@code results/<date>-<time>-<plan>}
 * @param actualInstance the instance type to price every case as, or null for each case's requested type
 * @param python the worker's interpreter, or null to look for one
 * @param threads ONNX Runtime intra-op threads, 0 for the default
 * @param freshWorkers a fresh worker process per model group and trial ({@code --fresh-workers}) instead of one kept
 *     worker per GPU for the whole run
 * @param gpus {@code all} or GPU indexes ({@code 0,1}) to spread the plan over, or null for one worker at a time
 * @param budgetUsd the most the run may cost, or null
 * @param imdsEndpoint for tests: the instance-metadata service, or null for the real one
 * @param noHistory {@code --no-history}
 * @param historyUrl {@code --history-url}, or null
 * @param given the options given on the command line (not defaulted), by name, e.g. {@code --lifecycle}
 * @param commandLine the arguments as given, for environment.json (redacted there)
 * @param home where genbench is installed (the worker's sources are under {@code worker/src})
 */
public record RunRequest(Path planFile, Path resume, boolean retryFailed, Backend backend, ExecutorKind executor, Path out,
    Lifecycle lifecycle, String region, String actualInstance, String python, boolean tiny, String weights,
    String saveImages, int threads, int trials, boolean freshWorkers, String gpus, int interferenceCases, boolean dryRun, BigDecimal budgetUsd,
    boolean detectInstance, URI imdsEndpoint, PriceSettings prices, KubernetesRequest kubernetes, boolean noHistory,
    String historyUrl, Set<String> given, List<String> commandLine, Path home) {

  /** True when {@code option} was on the command line rather than defaulted. */
  boolean gave(String option) {
    return given.contains(option);
  }
}
