package io.genbench.history;

/**
 * One case in one recorded run: a point of the case's trend.
 *
 * @param run the run
 * @param result the case's figures in that run
 */
public record TrendPoint(RunRecord run, CaseRecord result) {}
