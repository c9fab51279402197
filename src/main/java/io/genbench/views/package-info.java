/**
 * The views stage: {@link io.genbench.views.RunViews} turns a run directory's raw events into results (once per case
 * per run) and writes every view of the run (summary.csv, results.json/.csv, report.md/.html and the charts in
 * charts/), keeping stored results where a torn log cannot prove a different one. Sits between the stages and
 * {@code cli}: imports wire, plan, cost, measure, result, report, chart, store and {@code Json} / {@code UserError}; only {@code cli} imports it
 * ({@code ImportRulesTest} checks both).
 */
package io.genbench.views;
