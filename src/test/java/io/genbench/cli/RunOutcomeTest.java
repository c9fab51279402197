package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `genbench run` tells the user about what ran where, and the exit status, on the embedded default. */
final class RunOutcomeTest {
  @TempDir
  Path tmp;

  private Path plan(String name, String... precisions) {
    Path plan = tmp.resolve(name);
    List<String> args = new ArrayList<>(List.of("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge",
        "--batch-sizes", "1", "--resolutions", "64x64", "--inference-steps", "2", "--warmup", "1",
        "--min-iterations", "3", "--max-iterations", "5", "--min-duration", "0", "--output", plan.toString(), "--precisions"));
    args.addAll(Arrays.asList(precisions));
    assertThat(Cli.run(args.toArray(String[]::new)).exitCode()).isZero();
    return plan;
  }

  @Test
  void aPlanNothingOfWhichCanRunOnTheBackendExitsTwoAndWritesNothing() {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan("half.yaml", "float16", "bfloat16").toString(), "--backend", "onnx", "--out", out.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("None of the 2 cases can run on backend onnx-cpu").contains("--precisions float32");
    assertThat(out).doesNotExist();
  }

  @Test
  void casesTheBackendCannotRunAreUnsupportedNotFailedAndTheRunExitsZeroSayingWhatItSkipped() throws Exception {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan("mixed.yaml", "float32", "float16").toString(), "--backend", "onnx", "--out", out.toString(),
        "--threads", "1");

    // every case that could run succeeded: the skipped one is not a failure of the run
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("skipping 1 of 2 cases").doesNotContain("[1/0]").doesNotContain("resuming");
    String summary = Files.readString(out.resolve("summary.csv"));
    assertThat(summary).contains("-float32,").containsPattern("-float16,.*,UNSUPPORTED\n").doesNotContain("FAILED");
    assertThat(Files.readString(out.resolve("results.csv"))).contains(",skipped,");
    // said first, with the reason, then counted apart
    assertThat(r.out()).startsWith("Skipped, not failures: 1 case that cannot run here (the onnx-cpu backend runs float32 only;")
        .doesNotContain("unknown device");
    assertThat(r.out().lines().filter(l -> l.matches("\\d+ cases?: .*")).findFirst().orElseThrow())
        .startsWith("2 cases: 1 SUCCESS, 1 UNSUPPORTED — 1 ");
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains("Skipped, not failures: 1 case").doesNotContain("a failure)")
        .contains("None: every case that could run here succeeded.");
  }

  @Test
  void aDryRunListsTheCasesAndAnEstimateAndWritesNothing() {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan("mixed.yaml", "float32", "float16").toString(), "--backend", "onnx", "--out", out.toString(),
        "--dry-run", "--trials", "2");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("dry run: 2 cases x 2 trials").contains("skipped: the onnx-cpu backend runs float32 only")
        .contains("calibrated here, scaled by work").containsPattern("total: ≈ \\d+ s \\(\\d+ s\\), an estimate: 1 case"
            + " calibrated here, scaled by work").contains("machine-hours (estimated): ≈ ").contains("of which measuring");
    assertThat(out).doesNotExist();
  }

  @Test
  void casesThatDifferOnlyInInstanceTypeAreMeasuredOnceAndEachPricedAsItsOwn() throws Exception {
    Path plan = tmp.resolve("two-types.yaml");
    assertThat(Cli.run("plan", "--mode", "sd_only", "--instance-types", "g5.xlarge", "g6e.xlarge", "--batch-sizes", "1",
        "--resolutions", "64x64", "--inference-steps", "2", "--warmup", "1", "--min-iterations", "3", "--max-iterations", "5",
        "--min-duration", "0", "--precisions", "float32", "--output", plan.toString()).exitCode()).isZero();
    Path out = tmp.resolve("run");

    Cli dry = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString(), "--dry-run", "--threads", "1");
    Cli r = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", out.toString(), "--threads", "1");

    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("1 will run and 1 is priced from a twin").contains("priced from sd-2-1-g5xlarge-")
        .contains("the 1 priced from a twin takes none");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("running 2 cases (1 measured, 1 priced from them)").contains("[1/1]").doesNotContain("[2/")
        .contains("priced sd-2-1-g6exlarge-b1-s2-64x64-float32 from sd-2-1-g5xlarge-b1-s2-64x64-float32");
    assertThat(r.out()).contains("2 cases: 1 measured, 1 priced from them");
    List<String> rows = Files.readString(out.resolve("summary.csv")).lines().skip(1).toList();
    assertThat(rows).hasSize(2);
    String[] g5 = rows.get(0).split(",");
    String[] g6e = rows.get(1).split(",");
    assertThat(g5[2]).isEqualTo("g5.xlarge");
    assertThat(g6e[2]).isEqualTo("g6e.xlarge");
    assertThat(g6e[10]).as("the same measurement").isEqualTo(g5[10]);
    assertThat(g6e[13]).as("its own price").isNotEqualTo(g5[13]);
    assertThat(Files.readString(out.resolve("report.md"))).contains("Measured once: 1 of 2 cases were not run again")
        .contains(", measured once as `sd-2-1-g5xlarge-b1-s2-64x64-float32`");
    assertThat(Files.readString(out.resolve("cases/sd-2-1-g6exlarge-b1-s2-64x64-float32/result.json")))
        .contains("\"measured_as\" : \"sd-2-1-g5xlarge-b1-s2-64x64-float32\"");
    assertThat(Files.readString(out.resolve("cases/sd-2-1-g5xlarge-b1-s2-64x64-float32/result.json"))).doesNotContain("measured_as");

    // rebuilt offline from the stored results, the marker is still there
    Files.delete(out.resolve("report.md"));
    assertThat(Cli.run("report", out.toString()).exitCode()).isZero();
    assertThat(Files.readString(out.resolve("report.md"))).contains("Measured once: 1 of 2 cases were not run again");

    Cli each = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", tmp.resolve("each").toString(), "--dry-run",
        "--measure-each");
    assertThat(each.exitCode()).as(each.err()).isZero();
    assertThat(each.out()).contains("dry run: 2 cases on backend onnx-cpu").doesNotContain("priced from");
  }

  @Test
  void aDryRunAfterARunEstimatesEachCaseFromItsEarlierRun() {
    Path plan = plan("one.yaml", "float32");
    assertThat(Cli.run("run", plan.toString(), "--backend", "onnx", "--out", tmp.resolve("runs/first").toString(),
        "--threads", "1").exitCode()).isZero();

    Cli r = Cli.run("run", plan.toString(), "--backend", "onnx", "--out", tmp.resolve("runs/second").toString(), "--dry-run");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("earlier run: first").contains("an estimate: 1 case earlier run").doesNotContain("calibrated");
    assertThat(r.err()).doesNotContain("calibrating");
  }

  @Test
  void timeMeasuredHereAndPricedAsAnotherInstanceIsMarkedInEveryViewAndMoneyAgrees() throws Exception {
    Path out = tmp.resolve("run");

    Cli r = Cli.run("run", plan("one.yaml", "float32").toString(), "--backend", "onnx", "--out", out.toString(),
        "--threads", "1", "--lifecycle", "spot");

    assertThat(r.exitCode()).as(r.err()).isZero();
    String summary = Files.readString(out.resolve("summary.csv")).lines().skip(1).findFirst().orElseThrow();
    String[] cells = summary.split(",");
    // requested g5.xlarge, measured on this machine: the actual instance is local and the device
    assertThat(cells[2]).isEqualTo("g5.xlarge");
    assertThat(cells[3]).startsWith("local (");
    String csv = Files.readString(out.resolve("results.csv"));
    List<String> header = List.of(csv.lines().findFirst().orElseThrow().split(","));
    String row = csv.lines().skip(1).findFirst().orElseThrow();
    List<String> values = splitCsv(row);
    assertThat(values.get(header.indexOf("priced_elsewhere"))).isEqualTo("true");
    assertThat(values.get(header.indexOf("priced_as"))).isEqualTo("g5.xlarge");
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains("Costs are priced, not measured: g5.xlarge's price applied to the time measured on local ")
        .contains("| g5.xlarge | local ").doesNotContain("priced as it");
    assertThat(r.out()).contains("Costs are priced, not measured: g5.xlarge's price applied to the time measured on local ")
        .doesNotContain("priced as it");
    assertThat(md).contains("same stand-in UNet");

    // one rounding rule: the spot and on-demand cost read the same in all four views, and the saving is their difference
    String spot = cells[16];
    String ondemand = cells[17];
    assertThat(values.get(header.indexOf("cost_1000_images_spot_usd"))).isEqualTo(spot);
    assertThat(values.get(header.indexOf("cost_1000_images_ondemand_usd"))).isEqualTo(ondemand);
    assertThat(r.out()).contains("  " + spot + "\n"); // the console table's spot column
    // report.md offers a case's cost as the lowest only when its verdict is valid, as genbench best does
    if (values.get(header.indexOf("verdict")).equals("INVALID")) {
      assertThat(md).contains("- Cheapest and fastest valid: none: no successful case is VALID").doesNotContain("### Lowest");
      return;
    }
    assertThat(md).contains("- spot cost: $" + spot + "\n").contains("- on-demand cost: $" + ondemand + "\n");
    assertThat(r.out()).contains("$" + spot + " per 1000 images");
    Matcher saving = Pattern.compile("- saving: \\$([0-9.]+) ").matcher(md);
    assertThat(saving.find()).isTrue();
    assertThat(new java.math.BigDecimal(saving.group(1)))
        .isEqualByComparingTo(new java.math.BigDecimal(ondemand).subtract(new java.math.BigDecimal(spot)));
  }

  @Test
  void aRunStartedOnAClusterRefusesToResumeOnThisMachine() throws Exception {
    Path out = tmp.resolve("run");
    assertThat(Cli.run("run", plan("one.yaml", "float32").toString(), "--backend", "onnx", "--out", out.toString(),
        "--threads", "1").exitCode()).isZero();
    Path options = out.resolve("run-options.json");
    Files.writeString(options, Files.readString(options).replace("\"executor\" : \"local\"", "\"executor\" : \"kubernetes\""));

    Cli r = Cli.run("run", "--resume", out.toString(), "--executor", "local");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("was started with --executor kubernetes");
  }

  private static List<String> splitCsv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (ch == ',' && !quoted) {
        out.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    out.add(cell.toString());
    return out;
  }
}
