/**
 * Run history: every finished run (a case run of {@code genbench run}, or a load run of {@code genbench load}, read from
 * its {@code results.json}: kind {@code load}, one row per level), recorded in a store behind JDBC ({@link io.genbench.history.HistoryStore}) whose
 * schema Flyway migrates (resources {@code db/migration/history}): an embedded SQLite file by default
 * ({@link io.genbench.history.HistoryLocation}), a PostgreSQL server for teams. Reads finished runs
 * ({@code result}'s {@code CaseResult}, {@code analyze}'s figures in it, {@code store}'s run directory, {@code plan}'s
 * plan file); renders runs and one case's trend as a table, CSV or JSON ({@link io.genbench.history.HistoryFormat}) and
 * an SVG chart ({@link io.genbench.history.TrendChart}, labels escaped by {@code chart}). Imports only {@code result},
 * {@code analyze}, {@code store}, {@code chart},
 * {@code plan} and {@code Json} / {@code UserError}; only {@code cli} and {@code run} import it ({@code ImportRulesTest} checks both).
 */
package io.genbench.history;
