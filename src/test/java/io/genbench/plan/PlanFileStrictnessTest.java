package io.genbench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genbench.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plan file holds exactly what the README says, or the user hears why not: nothing is read looser than written. */
final class PlanFileStrictnessTest {
  @TempDir
  Path tmp;

  private static final String ONE_CASE = "cases:\n  - model: sdxl\n    instance_type: g5.xlarge\n";

  @Test
  void aSecondYamlDocumentIsAnErrorNotIgnored() {
    String yaml = ONE_CASE + "---\ncases:\n  - model: sd-2-1\n    instance_type: g5.xlarge\n";

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessageStartingWith("A second YAML document (plan.yaml line 5): a plan is one document");
  }

  @Test
  void aTrailingDocumentMarkerAloneIsHarmless() {
    assertThat(PlanFile.parse(ONE_CASE + "---\n", "plan.yaml").cases()).hasSize(1);
  }

  @Test
  void textAfterAJsonPlanIsAnError() {
    for (String tail : new String[] {" garbage", "\n{\"cases\": []}", " ]"}) {
      String json = "{\"cases\": [{\"model\": \"sdxl\", \"instance_type\": \"g5.xlarge\"}]}" + tail;

      assertThatThrownBy(() -> PlanFile.parse(json, "plan.json")).as(tail).isInstanceOf(UserError.class)
          .hasMessageStartingWith("Text after the end of the plan (plan.json line")
          .hasMessageContaining("remove what follows its closing }");
    }
  }

  @Test
  void anIntegerWithALeadingZeroIsNotReadAsOctal() {
    String yaml = ONE_CASE + "    batch_size: 010\n";

    assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).isInstanceOf(UserError.class)
        .hasMessage("Bad number 010 for \"batch_size\" (plan.yaml line 4): YAML 1.1 reads a leading 0 as octal (010 is 8),"
            + " 0x as hex and 0b as binary, and ignores '_', so write integers in plain decimal, e.g. 10.");
  }

  @Test
  void hexBinaryAndUnderscoredIntegersAreRefusedToo() {
    for (String v : new String[] {"0x10", "0b11", "1_0"}) {
      String yaml = "settings:\n  min_iterations: " + v + "\n" + ONE_CASE;

      assertThatThrownBy(() -> PlanFile.parse(yaml, "plan.yaml")).as(v).isInstanceOf(UserError.class)
          .hasMessageStartingWith("Bad number " + v + " for \"min_iterations\" (plan.yaml line 2)");
    }
  }

  @Test
  void plainIntegersStillRead() {
    Plan plan = PlanFile.parse(ONE_CASE + "    batch_size: 10\n    inference_steps: +5\n", "plan.yaml");

    assertThat(plan.cases().getFirst().batchSize()).isEqualTo(10);
    assertThat(plan.cases().getFirst().diffusion().steps()).isEqualTo(5);
  }

  @Test
  void aNanInJsonIsExplainedWithoutJacksonFeatures() {
    String json = "{\"settings\": {\"min_duration_s\": NaN}, \"cases\": [{\"model\": \"sdxl\", \"instance_type\": \"g5.xlarge\"}]}";

    assertThatThrownBy(() -> PlanFile.parse(json, "plan.json")).isInstanceOf(UserError.class)
        .hasMessage("Bad number (plan.json line 1): NaN is not a number a plan can hold; numbers must be finite, written as 1,"
            + " 2.5 or 1e3.");
  }

  @Test
  void noJsonErrorMentionsAParserFeature() {
    for (String json : new String[] {"{\"cases\": [{\"model\": \"sdxl\", \"batch_size\": +1}]}",
        "{/* c */ \"cases\": []}", "{\"cases\": [{\"model\": \"sdxl\", \"batch_size\": Infinity}]}"}) {
      assertThatThrownBy(() -> PlanFile.parse(json, "plan.json")).as(json).isInstanceOf(UserError.class)
          .message().doesNotContainIgnoringCase("enable").doesNotContain("Feature").contains("plan.json line 1");
    }
  }

  @Test
  @Timeout(10)
  void aCharacterDeviceIsRefusedAtOnceByName() {
    assertThatThrownBy(() -> PlanFile.read(Path.of("/dev/zero"))).isInstanceOf(UserError.class)
        .hasMessage("Plan file /dev/zero is a character device, not a regular file: give the path of a file.");
  }

  @Test
  @Timeout(10)
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = tmp.resolve("plan.yaml");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(mk.exitValue()).isZero();

    assertThatThrownBy(() -> PlanFile.read(fifo)).isInstanceOf(UserError.class)
        .hasMessage("Plan file " + fifo + " is a FIFO (named pipe), not a regular file: give the path of a file.");
  }

  @Test
  void aDirectoryIsRefusedByName() {
    assertThatThrownBy(() -> PlanFile.read(tmp)).isInstanceOf(UserError.class).hasMessageContaining(tmp + " is a directory");
  }

  @Test
  void aSymlinkToAPlanIsReadAsThePlan() throws Exception {
    Path real = Files.writeString(tmp.resolve("real.yaml"), ONE_CASE);
    Path link = Files.createSymbolicLink(tmp.resolve("link.yaml"), real);

    assertThat(PlanFile.read(link).cases()).hasSize(1);
  }
}
