package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The worker reader's spin after a {@code computed} line: it ends when the next line is there, or after its time. */
final class ResultSpinTest {

  @Test
  void theSpinEndsWhenInputArrivesAndOtherwiseLastsItsTime() throws Exception {
    var writer = new PipedWriter();
    var in = new BufferedReader(new PipedReader(writer));
    long start = System.nanoTime();
    WorkerProcess.awaitInput(in, Duration.ofMillis(100).toNanos());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));

    Thread.ofPlatform().start(() -> {
      try {
        Thread.sleep(50);
        writer.write("{\"type\":\"images\"}\n");
        writer.flush();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    start = System.nanoTime();
    WorkerProcess.awaitInput(in, Duration.ofMinutes(5).toNanos());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMinutes(1));
    assertThat(in.readLine()).isEqualTo("{\"type\":\"images\"}");
  }
}
