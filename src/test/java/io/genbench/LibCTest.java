package io.genbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class LibCTest {
  @Test
  @EnabledOnOs(OS.LINUX)
  void aLibcFunctionIsCalledThroughItsHandle() throws Throwable {
    assumeTrue(Runtime.version().feature() >= 22, "the Foreign Function API is final from Java 22");
    MethodHandle getpid = LibC.function("getpid");
    assertThat(getpid).isNotNull();
    assertThat((int) getpid.invoke()).isEqualTo((int) ProcessHandle.current().pid());
  }

  @Test
  void anUnknownFunctionOrLayoutGivesNull() {
    assertThat(LibC.function("genbench_no_such_function")).isNull();
    assertThat(LibC.function("getpid", "NO_SUCH_LAYOUT")).isNull();
  }
}
