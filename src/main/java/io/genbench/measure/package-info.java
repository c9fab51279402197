/**
 * From raw events to results: {@link io.genbench.measure.Measurements} gathers one case's events and
 * {@link io.genbench.measure.CaseAnalyzer} derives its {@link io.genbench.result.CaseResult}. Pure functions of the
 * events, so {@code genbench report} recomputes everything offline. Imports wire (events), plan, analyze, cost, result.
 */
package io.genbench.measure;
