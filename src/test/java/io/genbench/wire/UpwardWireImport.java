package io.genbench.wire;

/** A fixture for ImportRulesTest: the wire importing plan, which the rules forbid (the wire is the floor). Never used. */
public final class UpwardWireImport {
  String id(io.genbench.plan.TestCase testCase) {
    return testCase.id();
  }
}
