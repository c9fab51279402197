package io.genbench.execute.onnx;

import java.lang.invoke.MethodHandle;

/**
 * The C heap under ONNX Runtime. glibc keeps what native code frees and reuses it without the resident set growing,
 * so a case that ran after a bigger one would look nearly free; {@link #trim()} hands the free pages back first.
 *
 * <p>Called through the Foreign Function API by reflection, because it is final only from Java 22 and the code is
 * built for 21: on a 21 runtime, or without glibc, {@link #trim()} does nothing and says so.
 */
final class NativeHeap {
  private static final MethodHandle MALLOC_TRIM = io.genbench.LibC.function("malloc_trim", "JAVA_LONG");
  private static final MethodHandle MALLOPT = io.genbench.LibC.function("mallopt", "JAVA_INT", "JAVA_INT");
  /** glibc's mallopt parameter for the size from which blocks are mapped on their own. */
  private static final int M_MMAP_THRESHOLD = -3;

  private NativeHeap() {}

  /** Whether the C heap's free memory can be handed back on this runtime. */
  static boolean trimmable() {
    return MALLOC_TRIM != null;
  }

  /** Returns the C heap's free pages to the OS ({@code malloc_trim(0)}); false where that is not possible. */
  static boolean trim() {
    if (MALLOC_TRIM == null) return false;
    try {
      MALLOC_TRIM.invoke(0L);
      return true;
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Fixes the size from which glibc maps a block on its own, and returns it to the OS when freed, at {@code bytes}.
   * By default glibc raises that threshold each time such a block is freed (up to 32 MiB), after which tensors come
   * from the heap and what a case frees stays resident and is reused by the next: figures would depend on order.
   */
  static boolean mapFrom(int bytes) {
    if (MALLOPT == null) return false;
    try {
      return (int) MALLOPT.invoke(M_MMAP_THRESHOLD, bytes) == 1;
    } catch (Throwable e) {
      return false;
    }
  }
}
