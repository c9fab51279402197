/**
 * The views stage: {@link io.genbench.views.RunViews} turns a run directory's raw events into results (once per case
 * per run) and writes every view of the run (summary.csv, results.json/.csv, report.md/.html and the charts in
 * charts/), keeping stored results where a torn log cannot prove a different one, and the neighbour-interference
 * comparison of a run on several GPUs. Sits between the stages and {@code cli}: imports wire, plan, cost, measure,
 * analyze, result, report, chart, store and {@code Json} / {@code UserError}; only {@code cli} and {@code run} import it
 * ({@code ImportRulesTest} checks both).
 */
package io.genbench.views;
