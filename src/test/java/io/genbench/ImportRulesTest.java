package io.genbench;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.genbench.execute.OnnxRoomImport;
import io.genbench.plan.ImportRuleViolation;
import io.genbench.store.ExecutorImport;
import io.genbench.store.WireOnlyImport;
import io.genbench.wire.UpwardWireImport;
import io.genbench.wire.WorkerEvent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The import rules of each {@code package-info.java} and STYLE §1, as a test: imports point one way (plan → execute →
 * measure → analyze → report; cli uses everything and nothing imports cli). A new upward import fails the build.
 */
final class ImportRulesTest {
  private static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.genbench");

  static final List<ArchRule> RULES = List.of(
      noClasses().that().resideOutsideOfPackage("io.genbench.cli..").should().dependOnClassesThat(resideInAPackage("io.genbench.cli.."))
          .because("cli uses everything and nothing imports cli").allowEmptyShould(true),
      importsOnly("plan"),
      importsOnly("analyze"),
      importsOnly("cost"),
      importsOnly("result", "wire", "plan", "analyze", "cost"),
      importsOnly("report", "wire", "result", "analyze", "cost", "chart"),
      importsOnly("chart"),
      importsOnly("wire"),
      importsOnly("execute", "wire", "plan", "cost", "store", "analyze", "env"),
      importsOnly("execute.onnx", "execute", "wire", "plan", "analyze", "env"),
      importsOnly("execute.kubernetes", "execute", "wire", "plan", "env"),
      ownRoom("execute.onnx"),
      ownRoom("execute.kubernetes"),
      importsOnly("measure", "wire", "plan", "analyze", "cost", "result"),
      importsOnly("store", "wire"),
      importsOnly("views", "wire", "plan", "cost", "measure", "analyze", "result", "report", "store", "chart"),
      importsOnly("history", "result", "analyze", "store", "plan", "chart"),
      importsOnly("env"),
      importsOnly("rank", "result", "analyze", "report", "cost"),
      importsOnly("suite", "wire", "store", "env", "chart", "report"),
      importsOnly("capacity", "analyze", "cost"),
      importsOnly("load", "analyze", "chart", "capacity"),
      importsOnly("metrics"),
      importsOnly("serve", "execute", "plan", "metrics", "env"),
      importsOnly("run", "execute", "wire", "plan", "cost", "store", "env", "views", "report", "result", "analyze", "history"),
      noClasses().that().resideOutsideOfPackages("io.genbench.cli..", "io.genbench.run..")
          .should().dependOnClassesThat(resideInAPackage("io.genbench.run.."))
          .because("the run stage is what cli's run command calls: nothing else imports it").allowEmptyShould(true));

  @Test
  void mainCodeFollowsEveryImportRule() {
    for (ArchRule rule : RULES) rule.check(MAIN);
  }

  @Test
  void anUpwardImportIsAViolation() {
    JavaClasses fixture = new ClassFileImporter().importClasses(ImportRuleViolation.class);

    assertThat(RULES.stream().filter(rule -> rule.evaluate(fixture).hasViolation()).map(ArchRule::getDescription))
        .anyMatch(d -> d.contains("io.genbench.plan")).anyMatch(d -> d.contains("io.genbench.cli"));
  }

  @Test
  void storeMayReadTheWireButNotTheExecutors() {
    JavaClasses wire = new ClassFileImporter().importClasses(WireOnlyImport.class);
    JavaClasses executor = new ClassFileImporter().importClasses(ExecutorImport.class);

    assertThat(RULES).noneMatch(rule -> rule.evaluate(wire).hasViolation());
    assertThat(RULES).anyMatch(rule -> rule.evaluate(executor).hasViolation());
  }

  @Test
  void theWireImportsNothingOfOurs() {
    JavaClasses upward = new ClassFileImporter().importClasses(UpwardWireImport.class);

    assertThat(RULES.stream().filter(rule -> rule.evaluate(upward).hasViolation()).map(ArchRule::getDescription))
        .anyMatch(d -> d.contains("io.genbench.wire"));
  }

  @Test
  void theRunnerDoesNotReachIntoAnExecutorsRoom() {
    JavaClasses inward = new ClassFileImporter().importClasses(OnnxRoomImport.class);

    assertThat(RULES.stream().filter(rule -> rule.evaluate(inward).hasViolation()).map(ArchRule::getDescription))
        .anyMatch(d -> d.contains("io.genbench.execute.onnx"));
  }

  /**
   * Only {@code cli}, {@code run} (which build executors) and the room itself use {@code io.genbench.<room>}: neither the
   * rest of its parent package nor any other.
   */
  private static ArchRule ownRoom(String room) {
    return noClasses().that().resideOutsideOfPackages("io.genbench.cli..", "io.genbench.run..", "io.genbench.serve..", "io.genbench." + room + "..")
        .should().dependOnClassesThat(resideInAPackage("io.genbench." + room + ".."))
        .because("io.genbench." + room + " is a room of its own: only cli, run and serve build what it holds").allowEmptyShould(true);
  }

  /** Classes of {@code io.genbench.<pkg>} depend on no genbench package but their own, the root (UserError, Json) and {@code allowed}. */
  private static ArchRule importsOnly(String pkg, String... allowed) {
    String[] permitted = Stream.concat(Stream.of(pkg), Arrays.stream(allowed)).map(p -> "io.genbench." + p + "..").toArray(String[]::new);
    return noClasses().that().resideInAPackage("io.genbench." + pkg + "..").should().dependOnClassesThat(
        resideInAPackage("io.genbench..").and(not(resideInAPackage("io.genbench"))).and(not(resideInAnyPackage(permitted)))
            .as("are in genbench packages other than " + String.join(", ", permitted)))
        .because("package-info of io.genbench." + pkg + " says what it may import")
        .allowEmptyShould(true); // a fixture holds one package only; mainCodeFollowsEveryImportRule sees them all
  }
}
