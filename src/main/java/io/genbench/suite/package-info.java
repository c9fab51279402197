/**
 * {@code genbench suite}: multi-GPU experiments (collectives, bandwidth, pipeline-parallel diffusion, tensor and
 * pipeline parallelism) run by the worker under PyTorch's launcher; the raw events of rank 0 are stored in a run
 * directory and turned into results, CSV and a report with its charts ({@link io.genbench.suite.SuiteCharts}). Each
 * line is read once into a typed {@link io.genbench.suite.SuiteEvent}, each record into a {@link io.genbench.suite.Row}
 * (its JSON for the tables, its typed values for every rule). Its page ({@link io.genbench.suite.SuiteHtml}) is the
 * report package's standalone HTML. Imports only env's host probes and environment capture, wire, store's atomic write,
 * {@code chart}, {@code report}, and {@code UserError} / {@code Json}; {@code ImportRulesTest} checks it.
 */
package io.genbench.suite;
