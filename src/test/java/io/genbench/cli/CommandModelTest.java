package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** main builds picocli's model of only the subcommand it runs; help and usage errors still see every one. */
final class CommandModelTest {

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertThat(GenBench.commandLine("run", "plan.yaml").getSubcommands()).containsOnlyKeys("run");
    assertThat(GenBench.commandLine("serve", "--help").getSubcommands()).containsOnlyKeys("serve");
  }

  @Test
  void withoutOneEverySubcommandIsThereForHelpAndSuggestions() {
    var all = GenBench.commandLine("--help").getSubcommands().keySet();
    assertThat(all).contains("plan", "run", "report", "compare", "best", "suite", "models", "price", "load", "serve", "history", "help")
        .hasSize(GenBench.SUBCOMMANDS.size());
    assertThat(GenBench.commandLine().getSubcommands().keySet()).isEqualTo(all);
    assertThat(GenBench.commandLine("rnu").getSubcommands().keySet()).isEqualTo(all);
  }

  @Test
  void helpAndErrorsReadTheSameEitherWay() {
    Cli top = Cli.run("--help");
    assertThat(top.exitCode()).isZero();
    assertThat(top.out()).contains("plan", "serve", "history");
    Cli typo = Cli.run("rnu");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err()).contains("Unmatched argument at index 0: 'rnu'").contains("genbench --help");
    Cli help = Cli.run("help", "load");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: genbench load");
    Cli sub = Cli.run("load", "--help");
    assertThat(sub.out()).isEqualTo(help.out());
    Cli bad = Cli.run("plan", "--mode", "nope");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("nope");
  }
}
