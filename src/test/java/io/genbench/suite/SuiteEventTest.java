package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;

class SuiteEventTest {
  private static SuiteEvent of(String line) {
    return SuiteEvent.of(Launcher.parse(line));
  }

  @Test
  void eachTypeIsReadIntoItsRecordWithSnakeCaseFields() {
    assertThat(of("{\"type\":\"suite_plan\",\"name\":\"quick\",\"launches\":3}")).isEqualTo(new SuiteEvent.Plan("quick"));
    assertThat(of("{\"type\":\"launch\",\"processes\":2,\"command\":[\"x\"]}")).isEqualTo(new SuiteEvent.Launch(2));
    assertThat(of("{\"type\":\"exit\",\"exit_code\":3,\"timed_out\":true}")).isEqualTo(new SuiteEvent.Exit(3, true));
    assertThat(of("{\"type\":\"suite_done\",\"correct\":true}")).isEqualTo(new SuiteEvent.Done(true));
    assertThat(of("{\"type\":\"suite_failed\",\"kind\":\"worker_error\",\"message\":\"m\"}"))
        .isEqualTo(new SuiteEvent.Failed("worker_error", "m"));
    SuiteEvent.Start start = (SuiteEvent.Start) of("{\"type\":\"suite_start\",\"experiment\":\"tp\",\"world_size\":2,"
        + "\"backend\":\"nccl\",\"device\":\"cuda\",\"simulate\":true,\"config\":{\"batch_size\":8}}");
    assertThat(start.worldSize()).isEqualTo(2);
    assertThat(start.simulate()).isTrue();
    assertThat(start.config().toString()).isEqualTo("{\"batch_size\":8}");
    SuiteEvent.Record record = (SuiteEvent.Record) of("{\"type\":\"record\",\"kind\":\"tp\",\"data\":{\"tp_size\":2}}");
    assertThat(record.kind()).isEqualTo("tp");
    assertThat(record.data().toString()).isEqualTo("{\"tp_size\":2}");
  }

  @Test
  void fieldsLeftOutReadAsZeroFalseOrEmptyAndAMissingConfigStaysMissing() {
    SuiteEvent.Start start = (SuiteEvent.Start) of("{\"type\":\"suite_start\"}");

    assertThat(start).isEqualTo(new SuiteEvent.Start("", 0, "", "", false, MissingNode.getInstance()));
    assertThat(of("{\"type\":\"exit\"}")).isEqualTo(new SuiteEvent.Exit(0, false));
  }

  @Test
  void helloLaterTypesAndUnbindableFieldsAreOther() {
    assertThat(of("{\"type\":\"hello\",\"device\":\"cpu\"}")).isInstanceOf(SuiteEvent.Other.class);
    assertThat(of("{\"type\":\"suite_progress\",\"done\":3}")).isInstanceOf(SuiteEvent.Other.class);
    assertThat(of("{\"type\":\"launch\",\"processes\":\"two\"}")).isInstanceOf(SuiteEvent.Other.class);
  }
}
