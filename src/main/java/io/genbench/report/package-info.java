/**
 * Views of a run, rebuilt offline from its results: {@link io.genbench.report.SummaryCsv} (the seed's
 * {@code summary.csv}), {@link io.genbench.report.ResultsCsv} and {@link io.genbench.report.ResultsJson} (every
 * figure), {@link io.genbench.report.MarkdownReport} and {@link io.genbench.report.HtmlReport} (for people),
 * {@link io.genbench.report.ConsoleSummary} (the end of {@code genbench run}), {@link io.genbench.report.Charts} (the
 * run's charts as SVG, which report.md links and report.html inlines). Every view is a pure function of a
 * {@link io.genbench.report.RunReport} and returns a String; nothing here does I/O. Imports only {@code result},
 * {@code wire} (failure kinds, the raw samples and telemetry charts draw), {@code analyze}, {@code cost}, {@code chart}
 * and {@code Json} / {@code UserError}.
 */
package io.genbench.report;
