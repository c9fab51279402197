/** The command line: picocli commands that wire the other packages together. Nothing imports {@code cli}. */
package io.genbench.cli;
