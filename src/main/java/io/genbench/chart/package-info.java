/**
 * Charts drawn with JFreeChart and written as SVG by JFreeSVG, at report-build time: {@link io.genbench.chart.Chart}
 * (one drawn chart), {@link io.genbench.chart.Svg} (the look every chart shares, SVG output with tooltips, and
 * {@link io.genbench.chart.Svg#label} for every user-supplied string a chart shows) and
 * {@link io.genbench.chart.ChartRuntime} (whether this JVM can draw them). Nothing here reads files or the network, but
 * for the font the jar bundles, copied once to a temporary directory for the JDK (see {@code BundledFont}); a chart is
 * a pure function of its data. Imports nothing of genbench: {@code report} (a run's charts) and
 * {@code suite} (the multi-GPU suite's charts) both build on it.
 */
package io.genbench.chart;
