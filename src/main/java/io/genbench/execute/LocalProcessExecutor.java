package io.genbench.execute;

import io.genbench.UserError;
import io.genbench.env.HostCommand;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerCase;
import io.genbench.wire.WorkerEvent;
import io.genbench.wire.WorkerJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs cases in the Python worker ({@code python3 -m genbench_worker --job JOB.json}) as a local process, one process
 * per model group. Reads events from its stdout and its log from stderr. A worker that dies mid-case fails that case
 * with a kind decided from how it died (SIGKILL / exit 137: {@code oom_signal}; SIGSEGV / exit 139:
 * {@code oom_sigsegv}; the per-case timeout: {@code timeout}) and a new worker takes the remaining cases.
 */
public final class LocalProcessExecutor implements Executor {

  /**
   * How to start the worker.
   *
   * @param python the interpreter, e.g. {@code /usr/bin/python3}
   * @param workerSource the directory holding the {@code genbench_worker} package
   * @param jobDir where job files are written
   * @param tiny run the architectures' tiny configurations (tests and smoke runs)
   * @param weights local weights, or null for random
   * @param saveImages folder for PNGs, or null
   * @param backend {@code torch} or {@code diffusers}
   */
  public record Config(String python, Path workerSource, Path jobDir, boolean tiny, String weights, String saveImages, String backend) {}

  private final Config config;
  private final Ticker ticker;
  private final String gpu;
  private int jobs;

  public LocalProcessExecutor(Config config, Ticker ticker) {
    this(config, ticker, null);
  }

  /**
   * An executor whose workers see one GPU of the host: {@code CUDA_VISIBLE_DEVICES} is set to {@code gpu} for them
   * ({@code genbench run --gpus}), and their job files are named after it so executors of several GPUs can share a
   * job folder.
   */
  public LocalProcessExecutor(Config config, Ticker ticker, String gpu) {
    this.config = config;
    this.ticker = ticker;
    this.gpu = gpu;
  }

  @Override
  public String backend() {
    return config.backend();
  }

  @Override
  public WorkerCase spec(TestCase c, Settings settings) {
    return Executor.workerCase(c, settings, config.tiny(), config.weights(), config.saveImages(), config.backend());
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    List<TestCase> remaining = new ArrayList<>(cases);
    while (!remaining.isEmpty()) {
      Set<String> finished = runWorker(remaining, settings, sink);
      if (finished.isEmpty()) {
        return; // runWorker already failed every remaining case
      }
      remaining.removeIf(c -> finished.contains(c.id()));
    }
  }

  /** Runs one worker over the cases; returns the ids that got their {@code done}. */
  private Set<String> runWorker(List<TestCase> cases, Settings settings, CaseSink sink) {
    Path job = writeJob(cases, settings);
    ProcessBuilder pb = new ProcessBuilder(config.python(), "-m", "genbench_worker", "--job", job.toString());
    // the worker first, then whatever the user's PYTHONPATH adds (e.g. a diffusers checkout for --backend diffusers)
    String inherited = System.getenv("PYTHONPATH");
    pb.environment().put("PYTHONPATH", config.workerSource() + (inherited == null || inherited.isBlank() ? "" : ":" + inherited));
    pb.environment().put("PYTHONUNBUFFERED", "1");
    if (gpu != null) pb.environment().put("CUDA_VISIBLE_DEVICES", gpu);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      failAll(cases, sink, FailureKind.INFRASTRUCTURE, "cannot start the worker (" + config.python() + "): " + e.getMessage());
      return Set.of();
    }
    // Ctrl-C or a SIGTERM to genbench must not leave a worker holding the GPU
    try {
      process.getOutputStream().close(); // the worker reads its job from the file, never from stdin
    } catch (IOException e) {
      // nothing to close
    }
    Thread reaper = new Thread(() -> HostCommand.killTree(process), "worker-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      return superviseWorker(process, cases, settings, sink);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs
      }
    }
  }

  private Set<String> superviseWorker(Process process, List<TestCase> cases, Settings settings, CaseSink sink) {
    Object lock = new Object();
    State state = new State();
    Set<String> done = new HashSet<>();
    state.expected = cases.getFirst().id();
    state.startedNs = ticker.read();
    Thread stderr = Thread.ofPlatform().daemon().name("worker-stderr").start(() -> {
      try (var err = process.getErrorStream()) {
        BoundedLines r = new BoundedLines(err, BoundedLines.LOG_LINE_BYTES);
        BoundedLines.Line read;
        while ((read = r.next()) != null) {
          String line = read.marked(BoundedLines.LOG_LINE_BYTES);
          synchronized (lock) {
            if (state.closed) return;
            sink.log(state.attribution(), line);
            state.tail.add(line);
            if (state.tail.size() > 20) state.tail.remove(0);
          }
        }
      } catch (IOException e) {
        // the process is gone; its exit is handled below
      }
    });
    // the clock of a case starts when the worker is expected to work on it (at start, or after the previous case's
    // done), not at its first event: a build or import that hangs before any event is a timeout too
    Thread watchdog = Thread.ofPlatform().daemon().name("worker-watchdog").start(() -> {
      while (process.isAlive()) {
        synchronized (lock) {
          boolean busy = state.current != null || state.expected != null;
          if (busy && ticker.read() - state.startedNs > (long) (settings.timeoutS() * 1e9)) {
            state.timedOut = true;
            // the whole tree: a child holding stdout open would otherwise keep the reader waiting
            HostCommand.killTree(process);
            return;
          }
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    try (var out = process.getInputStream()) {
      BoundedLines r = new BoundedLines(out, BoundedLines.EVENT_LINE_BYTES);
      BoundedLines.Line read;
      while ((read = readLine(r)) != null) {
        String line = read.text();
        if (line.isBlank() && !read.cut()) continue;
        WorkerEvent event;
        try {
          if (read.cut()) throw new IllegalArgumentException("over the line limit");
          event = WorkerEvent.parse(line);
        } catch (IllegalArgumentException e) {
          synchronized (lock) {
            sink.log(state.attribution(), notAnEvent(read));
          }
          continue;
        }
        synchronized (lock) {
          if (event.caseId() != null && !event.caseId().equals(state.current) && !done.contains(event.caseId())) {
            if (!event.caseId().equals(state.expected)) state.startedNs = ticker.read();
            state.current = event.caseId();
            state.expected = null;
          }
          if (event instanceof WorkerEvent.Hello) state.helloSeen = true;
          sink.event(event, line);
          if (event instanceof WorkerEvent.Done d) {
            done.add(d.caseId());
            state.lastDone = d.caseId();
            state.current = null;
            state.expected = cases.stream().map(TestCase::id).filter(id -> !done.contains(id)).findFirst().orElse(null);
            state.startedNs = ticker.read();
          }
        }
      }
    } catch (IOException e) {
      // closing a pipe we own failed: nothing was lost, the process's exit decides below
    }
    int exit = waitFor(process);
    watchdog.interrupt();
    join(watchdog, 5000);
    join(stderr, 2000);
    if (stderr.isAlive()) {
      // a grandchild still holds stderr open: end it, so no log line reaches the sink after this method returns
      HostCommand.killTree(process);
      join(stderr, 5000);
    }
    synchronized (lock) {
      state.closed = true;
      FailureKind died = state.timedOut ? FailureKind.TIMEOUT : kindOfExit(exit);
      String message = state.timedOut ? "killed after timeout_s = " + settings.timeoutS() + " s"
          : "worker exited with code " + exit + signalName(exit);
      String victim = state.current != null ? state.current : state.expected;
      if (victim == null) return done;
      if (state.current == null && !state.helloSeen && !state.timedOut) {
        // it never started: every remaining case would fail the same way
        String last = state.tail.isEmpty() ? "" : "; last log line: " + state.tail.getLast();
        for (TestCase c : cases) {
          if (done.contains(c.id())) continue;
          sink.event(new WorkerEvent.Failed(c.id(), FailureKind.INFRASTRUCTURE, "the worker did not start: " + message + last));
          sink.event(new WorkerEvent.Done(c.id()));
        }
        return Set.of();
      }
      sink.log(victim, "genbench: " + message);
      sink.event(new WorkerEvent.Failed(victim, died, message + (state.current == null ? " before this case sent an event" : "")));
      sink.event(new WorkerEvent.Done(victim));
      done.add(victim);
    }
    return done;
  }

  /**
   * The next line of the worker's stdout, or null at its end. A pipe that breaks (the watchdog killed the worker, a
   * stream was closed under the reader) is an end of stream too: how the worker died is read from its exit, so a
   * killed worker costs its one case and never turns into an executor failure that would fail the model's other cases.
   */
  static BoundedLines.Line readLine(BoundedLines r) {
    try {
      return r.next();
    } catch (IOException e) {
      return null;
    }
  }

  /** What worker.log says of a line that is not an event: the line, cut to a log line's size and marked when cut. */
  public static String notAnEvent(BoundedLines.Line read) {
    if (read.cut()) {
      return "genbench: worker wrote a line longer than " + (BoundedLines.EVENT_LINE_BYTES >> 20) + " MiB, not read as an event: "
          + read.marked(BoundedLines.LOG_LINE_BYTES);
    }
    return "genbench: worker wrote a line that is not an event: " + read.marked(BoundedLines.LOG_LINE_BYTES);
  }

  private static void join(Thread t, long millis) {
    try {
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class State {
    String current;
    /** The case the worker should be working on while no event has named one yet. */
    String expected;
    String lastDone;
    long startedNs;
    boolean timedOut;
    boolean helloSeen;
    /** The supervisor has decided every case: a late line from a stray reader is dropped, not reported. */
    boolean closed;
    final List<String> tail = new ArrayList<>();

    /** Whose log a stderr line is: the case running, else the one about to, else the one just finished. */
    String attribution() {
      return current != null ? current : expected != null ? expected : lastDone;
    }
  }

  /** Exit codes of a killed process are 128 + signal (SIGKILL 9, SIGSEGV 11). */
  static FailureKind kindOfExit(int exit) {
    return switch (exit) {
      case 137, -9 -> FailureKind.OOM_SIGNAL;
      case 139, -11 -> FailureKind.OOM_SIGSEGV;
      default -> FailureKind.WORKER_ERROR;
    };
  }

  private static String signalName(int exit) {
    return switch (exit) {
      case 137 -> " (SIGKILL: usually the host ran out of memory)";
      case 139 -> " (SIGSEGV)";
      case 143 -> " (SIGTERM)";
      default -> "";
    };
  }

  private static int waitFor(Process p) {
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        HostCommand.killTree(p);
        return p.waitFor();
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      HostCommand.killTree(p);
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void failAll(List<TestCase> cases, CaseSink sink, FailureKind kind, String message) {
    for (TestCase c : cases) {
      sink.log(c.id(), "genbench: " + message);
      sink.event(new WorkerEvent.Failed(c.id(), kind, message));
      sink.event(new WorkerEvent.Done(c.id()));
    }
  }

  private Path writeJob(List<TestCase> cases, Settings settings) {
    String json = WorkerJob.of(cases.stream().map(c -> spec(c, settings)).toList()).toJson();
    try {
      Files.createDirectories(config.jobDir());
      Path job = config.jobDir().resolve("job-" + (gpu == null ? "" : "gpu" + gpu + "-") + (++jobs) + ".json");
      Files.writeString(job, json);
      return job;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Finds an interpreter that can import torch: {@code GENBENCH_PYTHON}, then {@code python3} on PATH, then
   * {@code /usr/bin/python3} (where Debian's python3-torch lives).
   */
  public static String findPython(String requested) {
    return findPython(requested, "the torch backend", "or use --backend onnx (the embedded CPU default, no Python)");
  }

  /**
   * As {@link #findPython(String)}, for {@code who} (what needs PyTorch), ending the message with {@code otherwise}:
   * what the user can do instead, which differs by command ({@code suite} has no other backend).
   */
  public static String findPython(String requested, String who, String otherwise) {
    List<String> candidates = new ArrayList<>();
    if (requested != null) candidates.add(requested);
    else {
      String env = System.getenv("GENBENCH_PYTHON");
      if (env != null && !env.isBlank()) candidates.add(env);
      candidates.add("python3");
      candidates.add("/usr/bin/python3");
    }
    List<String> tried = new ArrayList<>();
    for (String python : candidates) {
      var result = HostCommand.run(List.of(python, "-c", "import torch; print(torch.__version__)"), java.util.Map.of(),
          java.time.Duration.ofSeconds(120), true);
      if (result.isPresent() && result.get().exit() == 0) return python;
      tried.add(python + " (" + result.map(r -> r.out().trim().lines().reduce((a, b) -> b).orElse("exit " + r.exit()))
          .orElse("not found, or no answer within 120 s") + ")");
    }
    throw new UserError(Character.toUpperCase(who.charAt(0)) + who.substring(1) + " needs a Python with PyTorch >= 1.13. Tried: "
        + String.join("; ", tried) + ". Install it (Debian: apt-get install python3-torch), set GENBENCH_PYTHON, " + otherwise + ".");
  }
}
