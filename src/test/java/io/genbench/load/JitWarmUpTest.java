package io.genbench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class JitWarmUpTest {
  @Test
  void theWarmUpDrivesTheEngineAgainstItsOwnServerClosedThenOpenLoop() {
    assertThat(JitWarmUp.run(200, 50, 30_000_000_000L)).as("requests answered by the in-process server").isEqualTo(250);
  }

  @Test
  void itRunsOncePerProcessAndSaysSo() {
    List<String> said = new ArrayList<>();
    int first = JitWarmUp.once(said::add);
    int second = JitWarmUp.once(said::add);

    // another test of this JVM may have run it first: then neither call warms, and nothing is said
    if (first > 0) assertThat(said).singleElement().asString().contains("load engine warmed up").contains("once per process");
    else assertThat(said).isEmpty();
    assertThat(second).isZero();
  }
}
