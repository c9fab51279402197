/**
 * The run stage: {@link io.genbench.run.RunStage} does what {@code genbench run} does between parsing its options
 * ({@link io.genbench.run.RunRequest}, typed) and printing its outcome: it checks the options together (a resumed run
 * adopts those stored in run-options.json, and its plan.yaml must be the one it was created with, by
 * {@link io.genbench.run.PlanFingerprint}), builds the executor (the Python worker, the in-JVM ONNX loop, Kubernetes
 * Jobs), estimates ({@code --dry-run}, {@code --budget-usd}), runs the cases under the run directory's lock and rebuilds
 * the views; {@link io.genbench.run.HistoryRecord} records the finished run. Imports execute (and its rooms onnx and
 * kubernetes), plan, cost, env, store, views, report, result, analyze and history; only {@code cli} imports it
 * ({@code ImportRulesTest} checks both).
 */
package io.genbench.run;
