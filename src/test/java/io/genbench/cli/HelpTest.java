package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class HelpTest {

  @ParameterizedTest(name = "genbench {0} --help")
  @ValueSource(strings = {"", "plan", "run", "report", "compare", "best", "price", "models", "suite", "history",
      "history list", "history trend", "history record"})
  void everyHelpShowsExamplesOfItsCommand(String command) {
    Cli r = command.isEmpty() ? Cli.run("--help") : Cli.run((command + " --help").split(" "));

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Examples:").contains("  genbench " + command);
    // a bare % in a description is a format specifier to picocli: it warns and prints the text unformatted
    assertThat(r.out() + r.err()).doesNotContain("picocli WARN");
  }
}
