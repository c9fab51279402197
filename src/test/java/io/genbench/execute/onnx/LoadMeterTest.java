package io.genbench.execute.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.genbench.wire.WorkerEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LoadMeterTest {
  @TempDir Path proc;

  private void write(long user, long idle, long steal, long selfUtime, String loadavg) throws IOException {
    Files.createDirectories(proc.resolve("self"));
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    Files.writeString(proc.resolve("stat"), "cpu  " + user + " 0 0 " + idle + " 0 0 0 " + steal + " 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n"
        + "cpu1 1 0 0 1 0 0 0 0 0 0\nintr 0\n");
    Files.writeString(proc.resolve("self/stat"), "4242 (java (main)) S 1 4242 4242 0 -1 4194560 1 0 0 0 " + selfUtime
        + " 0 0 0 20 0 30 0 1 1 1\n");
    Files.writeString(proc.resolve("loadavg"), loadavg + " 1.00 0.50 3/400 4242\n");
  }

  @Test
  void otherProcessesShareIsTheMachinesBusyTimeLessOursAndSteal() throws IOException {
    write(1000, 1000, 0, 500, "0.10");
    LoadMeter meter = LoadMeter.start(proc, 0);
    // 200 ticks pass on 2 CPUs: 100 idle, 20 stolen, 80 busy of which 50 ours → 30 others'
    write(1080, 1100, 20, 550, "1.75");

    WorkerEvent.Load load = meter.stop("c", 5_000_000_000L);

    assertThat(load).isEqualTo(new WorkerEvent.Load("c", 5_000_000_000L, 1.75, 2, 15.0, 10.0, 25.0));
    assertThat(WorkerEvent.toLine(load)).contains("\"load_avg_1m\":1.75"); // the wire's name, as the schema and the worker spell it
    assertThat(WorkerEvent.parse(WorkerEvent.toLine(load))).isEqualTo(load);
  }

  @Test
  void withoutProcTheFiguresAreNullNotZero() {
    LoadMeter meter = LoadMeter.start(proc.resolve("absent"), 0);

    assertThat(meter.stop("c", 7)).isEqualTo(new WorkerEvent.Load("c", 7, null, null, null, null, null));
  }
}
