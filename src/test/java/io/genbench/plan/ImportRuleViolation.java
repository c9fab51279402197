package io.genbench.plan;

/** A fixture for ImportRulesTest: plan importing cli, which the rules forbid. Never used. */
public final class ImportRuleViolation {
  Object upward() {
    return new io.genbench.cli.GenBench();
  }
}
