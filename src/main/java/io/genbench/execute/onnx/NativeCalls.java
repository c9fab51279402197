package io.genbench.execute.onnx;

import java.time.Duration;

/**
 * Calls into ONNX Runtime's native code, and the process's exit. ONNX Runtime registers a shutdown hook that frees its
 * native environment; the JVM runs it while the main thread may still be inside native code (creating a session,
 * running one), which then crashes (SIGSEGV, exit 134, an {@code hs_err_pid*.log} in the working directory). So once
 * a thread has entered here, SIGINT, SIGTERM and SIGHUP are handled by this class: no new native call starts, the one
 * in flight is waited for (at most {@link #GRACE}), and only then does the JVM exit with 128 + the signal's number,
 * running every shutdown hook (the resume hint among them). A thread that would start a native call after that waits
 * for the exit instead.
 */
final class NativeCalls {
  /** How long an exit waits for the native call in flight: longer than one UNet step or one session build. */
  static final Duration GRACE = Duration.ofSeconds(15);

  private static final Object LOCK = new Object();
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  private static int inFlight;
  private static boolean exiting;

  static {
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), NativeCalls::onSignal);
      } catch (IllegalArgumentException e) {
        // the signal is the JVM's own (-Xrs, or a debugger): its default handling stays
      }
    }
  }

  private NativeCalls() {}

  /** A stretch of code that calls native code; closing it leaves. Nested sections of one thread count once. */
  interface Section extends AutoCloseable {
    @Override
    void close();
  }

  /** Enters a stretch of native calls; waits for the exit instead when the process is exiting. */
  static Section enter() {
    int[] depth = DEPTH.get();
    if (depth[0]++ == 0) {
      synchronized (LOCK) {
        while (exiting) awaitExit();
        inFlight++;
      }
    }
    return () -> {
      if (--depth[0] == 0) leave();
    };
  }

  /**
   * Between two native calls of a long section (the steps of an image): when the process is exiting, leaves the section
   * so the exit can go on, and waits for it here.
   */
  static void checkpoint() {
    synchronized (LOCK) {
      if (!exiting || DEPTH.get()[0] == 0) return;
      inFlight--;
      LOCK.notifyAll();
      while (true) awaitExit();
    }
  }

  private static void leave() {
    synchronized (LOCK) {
      inFlight--;
      LOCK.notifyAll();
    }
  }

  /** Stops new native calls and waits (at most {@code grace}) for those in flight; true when none is left. */
  static boolean quiesce(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (LOCK) {
      exiting = true;
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        try {
          LOCK.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private static void onSignal(sun.misc.Signal signal) {
    quiesce(GRACE);
    System.exit(128 + signal.getNumber());
  }

  /** Called with LOCK held: the process is exiting, and this thread must not touch native code again. */
  private static void awaitExit() {
    try {
      LOCK.wait();
    } catch (InterruptedException e) {
      // the exit ends this thread; until then it stays out of native code
    }
  }
}
