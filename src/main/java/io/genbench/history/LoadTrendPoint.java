package io.genbench.history;

/**
 * One level of one recorded load run: a point of a load URL's trend.
 *
 * @param run the load run
 * @param level the level's figures in that run
 */
public record LoadTrendPoint(RunRecord run, LoadLevelRecord level) {}
