/**
 * Cases as Kubernetes Jobs ({@code --executor kubernetes}): {@link io.genbench.execute.kubernetes.KubernetesJobExecutor}
 * runs one Job per model group and reads its pod's log as the worker's event stream;
 * {@link io.genbench.execute.kubernetes.KubernetesName} makes valid object names and
 * {@link io.genbench.execute.kubernetes.PodPlacement} reads the node a pod runs on;
 * {@link io.genbench.execute.kubernetes.GeneratorJobs} runs {@code genbench load}'s generators, one Job each, and reads
 * their pod logs as lines it does not interpret. Imports execute's executor contract
 * and line reader, wire, plan and env's placement; only {@code cli} builds it ({@code ImportRulesTest} checks both).
 */
package io.genbench.execute.kubernetes;
