package io.genbench;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.genbench.execute.HostCommand;
import io.genbench.execute.HostInfo;
import io.genbench.execute.WorkerEvent;
import io.genbench.plan.ImportRuleViolation;
import io.genbench.store.WireOnlyImport;
import io.genbench.store.ExecutorImport;
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

  /**
   * Known violation of STYLE §7 "the wire is its own floor": the worker event types live in execute, so store (the
   * event log) and measure (reading events) import {@link WorkerEvent}. Allowed for that one type only, until the
   * wire moves to its own package; any other execute class imported by them still fails.
   */
  private static final DescribedPredicate<JavaClass> WIRE_IN_EXECUTE = belongToAnyOf(WorkerEvent.class);

  /** Known exception: env captures the host with execute's host probes; nothing else of execute. */
  private static final DescribedPredicate<JavaClass> HOST_PROBES_IN_EXECUTE = belongToAnyOf(HostCommand.class, HostInfo.class);

  static final List<ArchRule> RULES = List.of(
      noClasses().that().resideOutsideOfPackage("io.genbench.cli..").should().dependOnClassesThat(resideInAPackage("io.genbench.cli.."))
          .because("cli uses everything and nothing imports cli").allowEmptyShould(true),
      importsOnly("plan"),
      importsOnly("analyze"),
      importsOnly("cost"),
      importsOnly("result", "plan", "analyze", "cost"),
      importsOnly("report", "result", "analyze", "cost"),
      importsOnly("execute", "plan", "cost", "store"),
      importsOnly("measure", WIRE_IN_EXECUTE, "plan", "analyze", "cost", "result"),
      importsOnly("store", WIRE_IN_EXECUTE),
      importsOnly("env", HOST_PROBES_IN_EXECUTE),
      importsOnly("suite", belongToAnyOf(HostCommand.class), "store", "env"));

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
  void theWireExceptionAdmitsWorkerEventAndNothingElseOfExecute() {
    JavaClasses wire = new ClassFileImporter().importClasses(WireOnlyImport.class);
    JavaClasses executor = new ClassFileImporter().importClasses(ExecutorImport.class);

    assertThat(RULES).noneMatch(rule -> rule.evaluate(wire).hasViolation());
    assertThat(RULES).anyMatch(rule -> rule.evaluate(executor).hasViolation());
  }

  /** Classes of {@code io.genbench.<pkg>} depend on no genbench package but their own, the root (UserError, Json) and {@code allowed}. */
  private static ArchRule importsOnly(String pkg, String... allowed) {
    return importsOnly(pkg, DescribedPredicate.alwaysFalse(), allowed);
  }

  private static ArchRule importsOnly(String pkg, DescribedPredicate<JavaClass> exception, String... allowed) {
    String[] permitted = Stream.concat(Stream.of(pkg), Arrays.stream(allowed)).map(p -> "io.genbench." + p + "..").toArray(String[]::new);
    return noClasses().that().resideInAPackage("io.genbench." + pkg + "..").should().dependOnClassesThat(
        resideInAPackage("io.genbench..").and(not(resideInAPackage("io.genbench"))).and(not(resideInAnyPackage(permitted)))
            .and(not(exception)).as("are in genbench packages other than " + String.join(", ", permitted)))
        .because("package-info of io.genbench." + pkg + " says what it may import")
        .allowEmptyShould(true); // a fixture holds one package only; mainCodeFollowsEveryImportRule sees them all
  }
}
