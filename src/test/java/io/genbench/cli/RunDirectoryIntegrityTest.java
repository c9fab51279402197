package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory that changed under a run: an edited plan.yaml, a symlinked case, a killed process's leftovers,
 * cases that never finished (issue 15, items 3, 12, 13 and 16). One real run on the in-JVM backend, copied per test.
 */
final class RunDirectoryIntegrityTest {
  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  private static Path finished;

  @BeforeAll
  static void runOnce() {
    Path plan = shared.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "m7i.large", "--batch-sizes", "1", "2", "--resolutions",
        "64x64", "--inference-steps", "2", "--precisions", "float32", "--warmup", "1", "--min-iterations", "2",
        "--max-iterations", "2", "--min-duration", "0", "--output", plan.toString()).exitCode()).isZero();
    finished = shared.resolve("run");
    Cli r = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", finished.toString(), "--threads", "1", "--no-history");
    assertThat(r.exitCode()).as(r.err()).isZero();
  }

  private Path copy() throws Exception {
    Path to = tmp.resolve("run");
    try (Stream<Path> all = Files.walk(finished)) {
      for (Path p : all.toList()) {
        Path t = to.resolve(finished.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
    return to;
  }

  private static List<String> caseIds(Path run) throws Exception {
    try (Stream<Path> s = Files.list(run.resolve("cases"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aResumeAgainstAnEditedPlanExitsTwoNamingTheCasesThatChanged() throws Exception {
    Path run = copy();
    String plan = Files.readString(run.resolve("plan.yaml"));
    String removed = caseIds(run).stream().filter(id -> id.contains("-b2-")).findFirst().orElseThrow();
    String kept = caseIds(run).stream().filter(id -> id.contains("-b1-")).findFirst().orElseThrow();
    int cut = plan.indexOf("- id: " + removed);
    assertThat(cut).isPositive();
    Files.writeString(run.resolve("plan.yaml"), plan.substring(0, cut).replace("riding a horse", "riding a camel"));

    Cli resumed = Cli.run("run", "--resume", run.toString(), "--no-history");

    assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(2);
    assertThat(resumed.err()).contains("plan.yaml changed since the run was created").contains("cases removed: " + removed)
        .contains("cases with changed settings: " + kept)
        .contains(io.genbench.run.PlanFingerprint.sha256(plan.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void aResumeAgainstChangedSettingsNamesThem() throws Exception {
    Path run = copy();
    String plan = Files.readString(run.resolve("plan.yaml"));
    Files.writeString(run.resolve("plan.yaml"), plan.replaceFirst("max_iterations: 2", "max_iterations: 50"));
    assertThat(Files.readString(run.resolve("plan.yaml"))).isNotEqualTo(plan);

    Cli resumed = Cli.run("run", "--resume", run.toString(), "--no-history");

    assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(2);
    assertThat(resumed.err()).contains("the plan's settings");
  }

  @Test
  void aRunCreatedBeforeThePlanHashResumesAsBefore() throws Exception {
    Path run = copy();
    ObjectNode options = (ObjectNode) Json.MAPPER.readTree(run.resolve(io.genbench.run.RunOptions.FILE).toFile());
    assertThat(options.has("plan")).isTrue();
    options.remove("plan");
    Files.writeString(run.resolve(io.genbench.run.RunOptions.FILE), Json.PRETTY.writeValueAsString(options));
    Files.writeString(run.resolve("plan.yaml"), Files.readString(run.resolve("plan.yaml")) + "\n# edited\n");

    Cli resumed = Cli.run("run", "--resume", run.toString(), "--no-history");

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
  }

  @Test
  void aResumeThroughASymlinkedCaseDirectoryIsRefusedAndWritesNothingOutside() throws Exception {
    Path run = copy();
    String id = caseIds(run).getFirst();
    Path outside = tmp.resolve("outside");
    Files.move(run.resolve("cases").resolve(id), outside);
    Files.delete(outside.resolve("result.json")); // so a resume would run the case again, into the link
    Path link = Files.createSymbolicLink(run.resolve("cases").resolve(id), outside);
    List<String> before;
    try (Stream<Path> s = Files.list(outside)) {
      before = s.map(p -> p.getFileName().toString()).sorted().toList();
    }

    Cli resumed = Cli.run("run", "--resume", run.toString(), "--no-history");
    Cli report = Cli.run("report", run.toString(), "--no-history");

    assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(2);
    assertThat(resumed.err()).contains(link.toString()).contains("symbolic link");
    assertThat(report.exitCode()).as(report.err()).isEqualTo(2);
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(before);
    }
  }

  @Test
  void resumeAndReportRemoveWhatAKilledProcessLeft() throws Exception {
    Path run = copy();
    long dead = deadPid();
    Path html = Files.writeString(run.resolve(".report.html." + dead + ".42.tmp"), "half");
    Path staging = Files.createDirectories(tmp.resolve(".other.creating-" + dead).resolve("cases"));
    Path result = Files.writeString(run.resolve("cases").resolve(caseIds(run).getFirst()).resolve(".result.json." + dead + ".1.tmp"), "x");

    Cli report = Cli.run("report", run.toString(), "--no-history");
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(html).doesNotExist();
    assertThat(result).doesNotExist();
    assertThat(staging.getParent()).doesNotExist();
    assertThat(report.err()).contains("a killed process left");

    Path again = Files.writeString(run.resolve(".summary.csv." + dead + ".7.tmp"), "half");
    Cli resumed = Cli.run("run", "--resume", run.toString(), "--no-history");
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(again).doesNotExist();
  }

  @Test
  void aReportOfAnUnfinishedRunListsEveryPlannedCaseWithItsState() throws Exception {
    Path run = copy();
    List<String> ids = caseIds(run);
    Path interrupted = run.resolve("cases").resolve(ids.get(0));
    List<String> events = Files.readAllLines(interrupted.resolve("events.jsonl"));
    Files.write(interrupted.resolve("events.jsonl"), events.subList(0, events.size() / 2));
    Files.delete(interrupted.resolve("result.json"));
    try (Stream<Path> s = Files.walk(run.resolve("cases").resolve(ids.get(1)))) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }

    Cli report = Cli.run("report", run.toString(), "--no-history");

    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.err()).contains("The run is incomplete: 2 of 2 planned cases have no result (1 interrupted, 1 not run)");
    String md = Files.readString(run.resolve("report.md"));
    assertThat(md).contains("The run is incomplete").contains("| `" + ids.get(0) + "` | interrupted |")
        .contains("| `" + ids.get(1) + "` | not run |");
    assertThat(Files.readString(run.resolve("report.html"))).contains("The run is incomplete").contains("<td>interrupted</td>")
        .contains("<td>not run</td>");
    var json = Json.MAPPER.readTree(run.resolve("results.json").toFile());
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(json.get("unfinished_cases").findValuesAsText("state")).containsExactly("interrupted", "not run");
  }

  @Test
  void aCompleteRunSaysNothingOfUnfinishedCasesAndItsViewsHaveAPlainFilesMode() throws Exception {
    Path run = copy();
    Path plain = Files.createFile(run.resolve("plain"));

    Cli report = Cli.run("report", run.toString(), "--no-history");

    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.err()).doesNotContain("incomplete");
    assertThat(Files.readString(run.resolve("report.md"))).doesNotContain("incomplete").doesNotContain("Cases without a result");
    assertThat(Json.MAPPER.readTree(run.resolve("results.json").toFile()).has("complete")).isFalse();
    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(plain));
    for (String view : List.of("summary.csv", "results.json", "results.csv", "report.md", "report.html")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve(view)))).as(view).isEqualTo(mode);
    }
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }
}
