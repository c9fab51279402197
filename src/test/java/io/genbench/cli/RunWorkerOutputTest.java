package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.result.CaseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's output is not bounded, a run directory is: a worker (a script in place of the interpreter) that fails one
 * case with a 600 kB message and writes 50 MB without a newline to stdout and to stderr on the next leaves a run
 * directory of a few hundred kB, with each failure's text cut at its start and marked.
 */
final class RunWorkerOutputTest {
  @TempDir
  Path tmp;

  @Test
  void fiftyMegabytesWithoutANewlineLeaveASmallRunDirectoryAndAMarkedTail() throws Exception {
    Path plan = tmp.resolve("plan.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "--batch-sizes", "1", "2", "--resolutions",
        "64x64", "--inference-steps", "2", "--precisions", "float32", "--output", plan.toString()).exitCode()).isZero();
    Path python = tmp.resolve("fake-python");
    Files.writeString(python, """
        #!/usr/bin/env bash
        if [ "$1" = "-c" ]; then echo 1.13.0; exit 0; fi
        read -r job
        ids=($(grep -o '"id" : "[^"]*"' "$job" | sed 's/.*: "\\(.*\\)"/\\1/'))
        echo '{"type":"hello","worker_version":"fake","protocol":1,"device":"cuda"}'
        echo "{\\"type\\":\\"failed\\",\\"case_id\\":\\"${ids[0]}\\",\\"kind\\":\\"worker_error\\",\\"message\\":\\"$(head -c 600000 /dev/zero | tr '\\0' 'm')THE-END\\"}"
        echo "{\\"type\\":\\"done\\",\\"case_id\\":\\"${ids[0]}\\"}"
        echo "{\\"type\\":\\"loaded\\",\\"case_id\\":\\"${ids[1]}\\",\\"load_ns\\":5,\\"weights\\":\\"random\\"}"
        head -c 50000000 /dev/zero | tr '\\0' 'y' >&2
        head -c 50000000 /dev/zero | tr '\\0' 'x'
        printf '\\nLAST-WORDS' >&2
        exit 1
        """);
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan.toString(), "--backend", "torch", "--python", python.toString(), "--out", out.toString(), "--no-history");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
    long total;
    try (Stream<Path> s = Files.walk(out)) {
      total = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    assertThat(total).as("bytes in the run directory").isLessThan(3_000_000);
    assertThat(r.out().length() + r.err().length()).isLessThan(200_000);

    List<CaseResult> results = new ArrayList<>();
    try (Stream<Path> s = Files.list(out.resolve("cases"))) {
      for (Path c : s.sorted().toList()) results.add(Json.MAPPER.readValue(c.resolve("result.json").toFile(), CaseResult.class));
    }
    CaseResult.Failure longMessage = results.stream().map(CaseResult::failure).filter(f -> f.message().endsWith("THE-END")).findFirst().orElseThrow();
    assertThat(longMessage.message()).startsWith("…[cut ").contains(" bytes]mmm").hasSizeLessThanOrEqualTo(CaseResult.Failure.MESSAGE_CHARS);
    CaseResult.Failure flood = results.stream().map(CaseResult::failure).filter(f -> f.message().contains("exited with code 1")).findFirst().orElseThrow();
    String tail = String.join("\n", flood.logTail());
    assertThat(tail).contains("LAST-WORDS").containsPattern("x…\\[cut \\d+ bytes\\]").containsPattern("y…\\[cut \\d+ bytes\\]");
    assertThat(tail.length()).isLessThanOrEqualTo(CaseResult.Failure.LOG_TAIL_CHARS + flood.logTail().size());
    assertThat(flood.logTail()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(CaseResult.Failure.LOG_LINE_CHARS));
    JsonNode all = Json.MAPPER.readTree(out.resolve("results.json").toFile());
    assertThat(all.toString().length()).isLessThan(100_000);
  }
}
