/**
 * Ranking finished runs: {@link io.genbench.rank.RunComparison} compares two runs case by case ({@code genbench
 * compare}: the ratio of medians with its bootstrap interval, cost and memory), {@link io.genbench.rank.BestConfigurations}
 * ranks one run's cases by cost under constraints ({@code genbench best}). Each renders Markdown, or is written as JSON
 * by the command. Imports only {@code result}, {@code analyze}, {@code cost} (the lifecycle) and
 * {@code report} (whether a result fits its instance memory); {@code ImportRulesTest} checks it.
 */
package io.genbench.rank;
