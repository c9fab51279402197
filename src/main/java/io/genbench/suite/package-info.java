/**
 * {@code genbench suite}: multi-GPU experiments (collectives, bandwidth, pipeline-parallel diffusion, tensor and
 * pipeline parallelism) run by the worker under PyTorch's launcher; the raw events of rank 0 are stored in a run
 * directory and turned into results, CSV and a report with its charts ({@link io.genbench.suite.SuiteCharts}). Each
 * line is read once into a typed {@link io.genbench.suite.SuiteEvent}, each record into a {@link io.genbench.suite.Row}
 * (its JSON for the tables, its typed values for every rule). Imports
 * only execute's host probes and interpreter lookup, store's atomic write, env's environment capture, {@code chart},
 * and {@code UserError} / {@code Json}; {@code ImportRulesTest} checks it.
 */
package io.genbench.suite;
