package io.genbench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.env.HostCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One worker process in serving mode ({@code python3 -m genbench_worker.serve}, protocol/PROTOCOL.md "Serving"),
 * supervised: requests go out on its stdin as JSON lines and their results come back on its stdout, matched by id;
 * its stderr is copied to ours. When the process dies, every request in flight fails as {@link ImageBackend.Unavailable}
 * (answered 503), the restart is counted, and a new process builds the model again; requests that arrive meanwhile
 * wait for it (up to the build timeout). A worker that cannot build its model ({@code fatal}) is not restarted.
 */
final class WorkerProcess implements AutoCloseable {

  /** A request the worker refused or failed, with the worker's {@code kind} ({@code bad_request}, ...). */
  static final class Refused extends RuntimeException {
    private final String kind;

    Refused(String kind, String message) {
      super(message);
      this.kind = kind;
    }

    String kind() {
      return kind;
    }
  }

  /**
   * How to start one worker.
   *
   * @param command the full command line ({@code python -m genbench_worker.serve --model ...})
   * @param workerSource prepended to {@code PYTHONPATH}
   * @param gpu {@code CUDA_VISIBLE_DEVICES} for it, or null to leave the variable as it is
   * @param buildTimeout how long a start (the model's build) may take before it counts as failed
   * @param onRestart called once per restart after a crash
   */
  record Launch(List<String> command, Path workerSource, String gpu, Duration buildTimeout, Runnable onRestart) {}

  /** One process's life: its ready line, its requests in flight, the tail of its log. */
  private static final class Life {
    final Process process;
    final OutputStream stdin;
    final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
    final Map<String, Pending> pending = new ConcurrentHashMap<>();
    final Deque<String> logTail = new ArrayDeque<>();
    volatile boolean fatal;

    Life(Process process) {
      this.process = process;
      this.stdin = process.getOutputStream();
    }

    synchronized String tail() {
      return String.join(" | ", logTail);
    }

    synchronized void log(String line) {
      if (logTail.size() == 5) logTail.removeFirst();
      logTail.addLast(line);
    }
  }

  private record Pending(CompletableFuture<JsonNode> result, Consumer<JsonNode> onEvent) {}

  private static final int MAX_FAILED_STARTS = 3;

  private final Launch launch;
  private final String label;
  private final AtomicLong ids = new AtomicLong();
  private volatile Life life;
  private volatile boolean closed;
  private volatile boolean givenUp;
  private int failedStarts;

  private WorkerProcess(Launch launch) {
    this.launch = launch;
    this.label = "worker" + (launch.gpu() == null ? "" : " gpu " + launch.gpu());
  }

  /** Starts the process; {@link #ready()} completes with its {@code ready} line. */
  static WorkerProcess start(Launch launch) {
    WorkerProcess w = new WorkerProcess(launch);
    w.spawn();
    return w;
  }

  /** The current process's {@code ready} line (or why it could not start). */
  CompletableFuture<JsonNode> ready() {
    return life.ready;
  }

  /** The current process's id. */
  long pid() {
    return life.process.pid();
  }

  /** Requests in flight in the current process. */
  int inFlight() {
    return life.pending.size();
  }

  private synchronized void spawn() {
    if (closed) return;
    var pb = new ProcessBuilder(launch.command());
    String inherited = System.getenv("PYTHONPATH");
    pb.environment().put("PYTHONPATH", launch.workerSource() + (inherited == null || inherited.isBlank() ? "" : ":" + inherited));
    pb.environment().put("PYTHONUNBUFFERED", "1");
    if (launch.gpu() != null) pb.environment().put("CUDA_VISIBLE_DEVICES", launch.gpu());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      Life dead = new Life(null);
      dead.fatal = true;
      dead.ready.completeExceptionally(new IllegalStateException("cannot start the worker (" + launch.command().getFirst() + "): " + e.getMessage(), e));
      life = dead;
      givenUp = true;
      return;
    }
    Life l = new Life(p);
    life = l;
    Thread.ofPlatform().name("genbench-" + label.replace(' ', '-') + "-out").daemon().start(() -> readResults(l));
    Thread.ofPlatform().name("genbench-" + label.replace(' ', '-') + "-log").daemon().start(() -> copyLog(l));
    Thread.ofPlatform().name("genbench-" + label.replace(' ', '-') + "-build").daemon().start(() -> {
      try {
        l.ready.get(launch.buildTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        l.ready.completeExceptionally(new IllegalStateException(label + " did not build the model within " + launch.buildTimeout().toSeconds() + " s"));
        HostCommand.killTree(p);
      } catch (InterruptedException | ExecutionException e) {
        // failed: the exit handler says why
      }
    });
    p.onExit().thenRun(() -> exited(l));
  }

  private void readResults(Life l) {
    try (var in = new BufferedReader(new InputStreamReader(l.process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode m;
        try {
          m = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          System.err.println("genbench serve: " + label + " wrote a line that is not JSON, ignored: " + abbreviate(line));
          continue;
        }
        String type = m.path("type").asText();
        if (type.equals("soon")) {  // a hint, answering nothing: the next line is due within moments
          hint(l, m);
          if (awaitInput(in, soonWithinNs(m))) caughtAfterSoon.incrementAndGet();
          continue;
        }
        dispatch(l, m);
        if (Batcher.SPIN_HERE && type.equals("computed")) awaitInput(in, SPIN_FOR_RESULT_NS);
      }
    } catch (IOException e) {
      // the process is gone: exited() fails what is in flight
    }
  }

  /**
   * How long the reader spins after a {@code computed} line for the request's result line, which follows once the
   * pixels are in the file (0.1 ms later on an H100), before it blocks in the read: the result is read without a thread
   * wake-up (issue 20: that line's read was 0.09 ms P50, 0.36 ms P99 after the worker sent it). At most this much CPU
   * per batch, on a machine of {@link Batcher#SPIN_MIN_CORES} cores or more.
   */
  static final long SPIN_FOR_RESULT_NS = 1_000_000L;

  /**
   * The longest the reader spins after a worker's {@code soon} line (which says within how long its next line is due:
   * the worker is told {@code --soon-ms} where serve's threads poll) before it blocks in the read. The {@code computed}
   * line after a compute of 270 ms was read 0.10 ms P50, 0.29 ms P99 after the worker sent it, a thread wake-up on the
   * request's path (issue 20); the wake-up for {@code soon} is off it.
   */
  static final double MAX_SOON_SPIN_MS = 50.0;
  /** Lines read while the reader spun after a {@code soon} (tests). */
  final java.util.concurrent.atomic.AtomicLong caughtAfterSoon = new java.util.concurrent.atomic.AtomicLong();

  /** The nanoseconds a {@code soon} line says its request's next line is due within, at most {@link #MAX_SOON_SPIN_MS}. */
  static long soonWithinNs(JsonNode soon) {
    return (long) (Math.min(Math.max(soon.path("within_ms").asDouble(), 0), MAX_SOON_SPIN_MS) * 1e6);
  }

  /** Passes a hint ({@code soon}) to its request's {@code onEvent}; a hint for no request in flight is dropped. */
  private static void hint(Life l, JsonNode m) {
    Pending p = pending(l, m);
    if (p != null && p.onEvent() != null) p.onEvent().accept(m);
  }

  /** The request in flight a worker's line names by its {@code id}, or null. */
  private static Pending pending(Life l, JsonNode m) {
    String id = m.path("id").asText(null);
    return id == null ? null : l.pending.get(id);
  }

  /** Spins until {@code in} has input or {@code ns} have passed; whether it has. */
  static boolean awaitInput(BufferedReader in, long ns) throws IOException {
    long until = System.nanoTime() + ns;
    while (!in.ready()) {
      if (System.nanoTime() - until >= 0) return false;
      Thread.onSpinWait();
    }
    return true;
  }

  private void dispatch(Life l, JsonNode m) {
    String type = m.path("type").asText();
    switch (type) {
      case "ready" -> l.ready.complete(m);
      case "fatal" -> {
        l.fatal = true;
        l.ready.completeExceptionally(new IllegalStateException(label + " cannot build the model (" + m.path("kind").asText()
            + "): " + m.path("message").asText()));
      }
      default -> {
        String id = m.path("id").asText(null);
        Pending p = pending(l, m);
        if (p == null) {
          System.err.println("genbench serve: " + label + " answered no request in flight, ignored: " + abbreviate(m.toString()));
          return;
        }
        switch (type) {
          case "images", "completion" -> {
            l.pending.remove(id);
            p.result().complete(m);
          }
          case "error" -> {
            l.pending.remove(id);
            p.result().completeExceptionally(new Refused(m.path("kind").asText("worker_error"), m.path("message").asText()));
          }
          default -> p.onEvent().accept(m);
        }
      }
    }
  }

  private void copyLog(Life l) {
    try (var in = new BufferedReader(new InputStreamReader(l.process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        l.log(line);
        System.err.println(label + ": " + line);
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private void exited(Life l) {
    int code = l.process.exitValue();
    String why = label + " (pid " + l.process.pid() + ") exited with code " + code + (l.tail().isEmpty() ? "" : "; its log ends: " + l.tail());
    boolean wasReady = l.ready.isDone() && !l.ready.isCompletedExceptionally();
    l.ready.completeExceptionally(new IllegalStateException(why));
    List<Pending> lost = new ArrayList<>(l.pending.values());
    l.pending.clear();
    boolean restart;
    synchronized (this) {
      if (closed || l != life) {
        var gone = new ImageBackend.Unavailable("the server is shutting down", null);
        lost.forEach(p -> p.result().completeExceptionally(gone));
        return;
      }
      failedStarts = wasReady ? 0 : failedStarts + 1;
      restart = !l.fatal && failedStarts < MAX_FAILED_STARTS;
      givenUp = !restart;
    }
    var failure = new ImageBackend.Unavailable("The worker crashed while running this request (" + why + ")"
        + (restart ? "; it is being restarted, retry shortly." : "."), null);
    lost.forEach(p -> p.result().completeExceptionally(failure));
    if (!restart) {
      System.err.println("genbench serve: " + why + "; not restarted" + (l.fatal ? " (the model cannot be built)" : " (" + MAX_FAILED_STARTS + " starts failed in a row)"));
      return;
    }
    System.err.println("genbench serve: " + why + "; restarting it (" + lost.size() + " request(s) in flight failed with 503)");
    launch.onRestart().run();
    spawn();
  }

  /**
   * Sends one request and completes with its result line ({@code images} or {@code completion}); other lines for it
   * ({@code token}) go to {@code onEvent}, on the reader's thread. Waits for a restarting worker to be ready.
   *
   * @param message the request without its {@code id}, which is set here
   * @throws ImageBackend.Unavailable (through the future too) when the worker is down and not coming back in time
   */
  CompletableFuture<JsonNode> send(ObjectNode message, Consumer<JsonNode> onEvent) {
    Life l = awaitReady();
    String id = "r" + ids.incrementAndGet();
    message.put("id", id);
    var result = new CompletableFuture<JsonNode>();
    l.pending.put(id, new Pending(result, onEvent));
    try {
      synchronized (l) {
        l.stdin.write((message.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        l.stdin.flush();
      }
    } catch (IOException e) {
      l.pending.remove(id);
      result.completeExceptionally(new ImageBackend.Unavailable("The worker is down (" + e.getMessage() + "); retry shortly.", e));
    }
    if (!l.process.isAlive() && l.pending.remove(id) != null) {
      result.completeExceptionally(new ImageBackend.Unavailable("The worker is down; retry shortly.", null));
    }
    return result;
  }

  private Life awaitReady() {
    long deadline = System.nanoTime() + launch.buildTimeout().toNanos();
    while (true) {
      Life l = life;
      if (closed) throw new ImageBackend.Unavailable("the server is shutting down", null);
      try {
        l.ready.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (l.process.isAlive()) return l;
      } catch (TimeoutException e) {
        throw new ImageBackend.Unavailable("The worker is not ready (it is building the model); retry shortly.", e);
      } catch (ExecutionException e) {
        if (givenUp && l == life) throw new ImageBackend.Unavailable("The worker is down and not restarted: " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageBackend.Unavailable("interrupted", e);
      }
      if (System.nanoTime() > deadline) throw new ImageBackend.Unavailable("The worker is restarting; retry shortly.", null);
      try {
        Thread.sleep(20);  // the exit handler is starting the next process
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageBackend.Unavailable("interrupted", e);
      }
    }
  }

  /** Ends the process: end of input first (it exits 0), then, after a grace period, kills it. */
  @Override
  public void close() {
    Life l;
    synchronized (this) {
      closed = true;
      l = life;
    }
    if (l.process == null) return;
    try {
      l.stdin.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!l.process.waitFor(5, TimeUnit.SECONDS)) HostCommand.killTree(l.process);
    } catch (InterruptedException e) {
      HostCommand.killTree(l.process);
      Thread.currentThread().interrupt();
    }
    var failure = new ImageBackend.Unavailable("the server is shutting down", null);
    l.pending.values().forEach(p -> p.result().completeExceptionally(failure));
  }

  /** {@code s} cut to 200 characters for a log line. */
  static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
