package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.genbench.ChildJvm;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soft maximum heap a ZGC server sets itself, checked in JVMs started with each collector. */
final class ServeHeapTest {

  /** Run in a child JVM: sets the bound, then prints what it did and the flag's value. */
  public static final class Probe {
    public static void main(String[] args) {
      String did = ServeHeap.bound().orElse("nothing");
      String soft = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("SoftMaxHeapSize").getValue();
      System.out.println(did + "|" + soft);
    }
  }

  private static String probe(String... jvmFlags) throws Exception {
    return ChildJvm.run(Probe.class, jvmFlags).lines().reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void twoGibOrHalfTheMaximumHeap() {
    assertThat(ServeHeap.softMaxBytes(32L << 30)).isEqualTo(2L << 30);
    assertThat(ServeHeap.softMaxBytes(2L << 30)).isEqualTo(1L << 30);
    assertThat(ServeHeap.zgc(List.of("ZGC Minor Cycles", "ZGC Major Pauses"))).isTrue();
    assertThat(ServeHeap.zgc(List.of("G1 Young Generation", "G1 Old Generation"))).isFalse();
  }

  @Test
  void onZgcTheSoftMaximumIsSetAndSaid() throws Exception {
    assertThat(probe("-XX:+UseZGC", "-Xmx8g")).isEqualTo("ZGC, soft maximum heap 2048 MiB (collects within memory already touched)|"
        + (2L << 30));
    assertThat(probe("-XX:+UseZGC", "-Xmx1g")).startsWith("ZGC, soft maximum heap 512 MiB").endsWith("|" + (512L << 20));
  }

  @Test
  void aSoftMaximumOnTheCommandLineAndOtherCollectorsAreLeftAlone() throws Exception {
    assertThat(probe("-XX:+UseZGC", "-XX:SoftMaxHeapSize=768m", "-Xmx8g")).isEqualTo("nothing|" + (768L << 20));
    assertThat(probe("-XX:+UseG1GC", "-Xmx1g")).startsWith("nothing|");
  }
}
