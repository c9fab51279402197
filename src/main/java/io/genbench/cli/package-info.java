/** The command line: picocli commands that wire the other packages together. Nothing imports {@code cli}
 * ({@code ImportRulesTest} checks every package's rule). */
package io.genbench.cli;
