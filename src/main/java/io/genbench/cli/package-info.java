/**
 * The command line: picocli commands that parse, call the other packages (a run: {@code run.RunStage}) and print.
 * Nothing imports {@code cli} ({@code ImportRulesTest} checks every package's rule).
 */
package io.genbench.cli;
