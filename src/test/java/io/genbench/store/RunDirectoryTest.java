package io.genbench.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed process leaves, links inside a run directory, and the modes of written files (issue 15). */
final class RunDirectoryTest {
  @TempDir
  Path tmp;

  /** The id of a process that has ended. */
  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long pid = p.pid();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    return pid;
  }

  /** The id of a process that is alive and is not this one. */
  static long livePid() {
    return ProcessHandle.current().parent().orElseThrow().pid();
  }

  @Test
  void creatingARunRemovesTheStagingDirectoryOfAKilledCreatorBesideIt() throws Exception {
    Path dead = Files.createDirectories(tmp.resolve(".old-run.creating-" + deadPid()).resolve("cases"));
    Path alive = Files.createDirectories(tmp.resolve(".busy-run.creating-" + livePid()).resolve("cases"));
    // today's short staging name (.creating-PID-HASH), which a 250-character --out still fits
    Path deadShort = Files.createDirectories(tmp.resolve(".creating-" + deadPid() + "-0123abcd").resolve("cases"));
    Path aliveShort = Files.createDirectories(tmp.resolve(".creating-" + livePid() + "-89abcdef").resolve("cases"));

    RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, "x"));

    assertThat(dead.getParent()).doesNotExist();
    assertThat(alive).exists();
    assertThat(deadShort.getParent()).doesNotExist();
    assertThat(aliveShort).exists();
  }

  @Test
  void leftoversOfADeadWriterAreRemovedAndALiveWritersStay() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, "x"));
    long dead = deadPid();
    Path html = Files.writeString(dir.file(".report.html." + dead + ".8812.tmp"), "half");
    Path result = Files.writeString(Files.createDirectories(dir.caseDir("a")).resolve(".result.json." + dead + ".1.tmp"), "half");
    Path staging = Files.createDirectories(tmp.resolve(".other.creating-" + dead));
    Path live = Files.writeString(dir.file(".summary.csv." + livePid() + ".7.tmp"), "in use");
    Path ours = Files.writeString(dir.file(".results.json." + ProcessHandle.current().pid() + ".7.tmp"), "in use");
    Path unrelated = Files.writeString(dir.file(".notes.tmp"), "mine");

    var removed = dir.removeLeftovers();

    assertThat(removed).containsExactlyInAnyOrder(html, result, staging);
    assertThat(html).doesNotExist();
    assertThat(result).doesNotExist();
    assertThat(staging).doesNotExist();
    assertThat(live).exists();
    assertThat(ours).exists();
    assertThat(unrelated).exists();
  }

  @Test
  void aKilledAtomicWriteLeavesATemporaryFileNamingItsProcess() throws Exception {
    Path target = tmp.resolve("summary.csv");
    try (var ignored = RunDirectory.useWriter((file, content) -> {
      throw new java.io.IOException("No space left on device");
    })) {
      assertThatThrownBy(() -> RunDirectory.writeAtomic(target, "x")).isInstanceOf(StorageError.class);
    }
    // the failed write removed its temporary file; a kill would not, so its name must say whose it is
    var seen = new java.util.ArrayList<String>();
    try (var ignored = RunDirectory.useWriter((file, content) -> seen.add(file.getFileName().toString()))) {
      RunDirectory.writeAtomic(target, "x");
    }

    assertThat(seen).singleElement().asString().matches("\\.summary\\.csv\\." + ProcessHandle.current().pid() + "\\.\\d+\\.tmp");
  }

  @Test
  void aSymlinkedCaseDirectoryIsRefusedByName() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, "x"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path link = Files.createSymbolicLink(dir.caseDir("a"), outside);

    assertThatThrownBy(dir::refuseLinks).isInstanceOf(UserError.class).hasMessageContaining(link.toString())
        .hasMessageContaining(outside.toString());
    assertThatThrownBy(() -> dir.startCase("a")).isInstanceOf(UserError.class).hasMessageContaining(link.toString());
    assertThatThrownBy(() -> dir.write(dir.caseDir("a").resolve(RunDirectory.RESULT), "{}")).isInstanceOf(UserError.class);
    try (var files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aSymlinkedViewIsRefusedAndTheRootMayBeALink() throws Exception {
    var dir = RunDirectory.create(tmp.resolve("run"), Map.of(RunDirectory.PLAN, "x"));
    Path latest = Files.createSymbolicLink(tmp.resolve("latest"), dir.root());
    RunDirectory.open(latest).refuseLinks();
    Files.createSymbolicLink(dir.file("report.html"), tmp.resolve("elsewhere.html"));

    assertThatThrownBy(() -> RunDirectory.open(latest).refuseLinks()).isInstanceOf(UserError.class).hasMessageContaining("report.html");
  }

  @Test
  void anAtomicWriteGivesThePermissionsOfAPlainCreate() throws Exception {
    Path plain = Files.createFile(tmp.resolve("plain"));
    Path view = tmp.resolve("report.md");

    RunDirectory.writeAtomic(view, "# report");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(view)))
        .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
  }
}
