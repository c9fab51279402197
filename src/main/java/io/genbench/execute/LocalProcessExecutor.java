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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs cases in the Python worker as a local process, one <em>kept</em> worker for all the executor's calls
 * ({@code python3 -m genbench_worker --jobs-stdin}): each {@link #execute} call writes its cases as a job file and
 * sends the file's path on the worker's stdin; the worker runs the job with the model cache it keeps across jobs and
 * ends it with {@code job_done}. So a run pays the worker's start (process, torch import, CUDA context, framework
 * warm-up) once per executor, i.e. once per GPU slot, rather than once per model group and trial; {@link #close} ends
 * it. {@link Config#freshWorkers} restores a fresh worker per call. Reads events from its stdout and its log from
 * stderr. A worker that dies mid-case fails that case with a kind decided from how it died (SIGKILL / exit 137:
 * {@code oom_signal}; SIGSEGV / exit 139: {@code oom_sigsegv}; the per-case timeout: {@code timeout}) and a new worker
 * takes the remaining cases and later calls.
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
   * @param freshWorkers a fresh worker for every {@link #execute} call (each model group and trial), ended when the
   *     call returns, as before workers were kept ({@code genbench run --fresh-workers})
   */
  public record Config(String python, Path workerSource, Path jobDir, boolean tiny, String weights, String saveImages, String backend,
      boolean freshWorkers) {
    /** A kept worker. */
    public Config(String python, Path workerSource, Path jobDir, boolean tiny, String weights, String saveImages, String backend) {
      this(python, workerSource, jobDir, tiny, weights, saveImages, backend, false);
    }
  }

  /** The line a kept worker writes to stderr just before its {@code job_done} (worker {@code __main__.END_OF_JOB_LOG}). */
  static final String END_OF_JOB_LOG = "genbench_worker: end of job";
  /** How long a job's end waits for the worker's last log lines of it (its end-of-job line) to be read. */
  private static final long LOG_DRAIN_MS = 2000;
  /** How long {@link #close} lets the worker exit on its own after its stdin closed, before killing it. */
  private static final long EXIT_GRACE_MS = 5000;

  private final Config config;
  private final Ticker ticker;
  private final String gpu;
  private int jobs;
  /** The kept worker, or null when none runs. */
  private volatile Worker worker;
  private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();

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

  /** How many worker processes this executor has started (tests; a kept worker's run says 1). */
  int workersStarted() {
    return started.get();
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    try {
      List<TestCase> remaining = new ArrayList<>(cases);
      while (!remaining.isEmpty()) {
        Set<String> finished = runJob(remaining, settings, sink);
        if (finished.isEmpty()) {
          return; // runJob already failed every remaining case
        }
        remaining.removeIf(c -> finished.contains(c.id()));
      }
    } finally {
      if (config.freshWorkers()) close();
    }
  }

  /**
   * Starts the kept worker now, so that its start (process, torch import, CUDA context) overlaps what the controller
   * does before its first case rather than delaying that case; its {@code hello} and log wait in the pipes for the
   * first call. A no-op with fresh workers or while a worker runs. A worker that cannot start is found by the first call,
   * which fails its cases as it would have.
   */
  public void prestart() {
    if (config.freshWorkers() || worker != null) return;
    try {
      worker = newWorker();
    } catch (IOException e) {
      // the first call tries again and says why
    }
  }

  /**
   * Ends the kept worker: closes its stdin (the worker exits 0 at its end), gives it {@value #EXIT_GRACE_MS} ms, then
   * kills its process tree. Safe to call at any time and more than once.
   */
  @Override
  public void close() {
    Worker w = worker;
    worker = null;
    // a worker that never got a job (prestarted for a run refused on the way) has nothing to finish: no grace
    if (w != null) w.end(jobs == 0 ? 0 : EXIT_GRACE_MS);
  }

  /** Runs one job over the cases in the kept worker, starting one if none runs; returns the ids that got their {@code done}. */
  private Set<String> runJob(List<TestCase> cases, Settings settings, CaseSink sink) {
    Worker w = worker;
    if (w != null && !w.process.isAlive()) {
      // it died between jobs (nothing of ours ran): a new one takes this job
      w.end(0);
      worker = w = null;
    }
    boolean kept = w != null;
    if (w == null) {
      w = start(cases, sink);
      if (w == null) return Set.of();
      worker = w;
    }
    Path job = writeJob(cases, settings);
    try {
      w.stdin.write((job + "\n").getBytes(StandardCharsets.UTF_8));
      w.stdin.flush();
      if (!w.jobSent) {
        w.jobSent = true;
        // beside the worker's own "job read" line: whether the worker waited for the controller or the other way round
        double after = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        synchronized (w.lock) {
          w.idleLog.add(String.format(java.util.Locale.ROOT, "genbench: first job sent to the worker %.2f s after the JVM's start", after));
        }
      }
    } catch (IOException e) {
      if (kept) {
        // it died just now, between jobs: a new worker takes this job
        w.end(0);
        worker = null;
        return runJob(cases, settings, sink);
      }
      // a new worker that cannot read its stdin is dying: its exit, read below, says how
    }
    // a kept worker said hello to an earlier call: this call's cases carry it too, as a worker no one waited for
    if (kept && w.hello != null) sink.helloAgain(w.hello, w.helloLine);
    return superviseJob(w, cases, settings, sink);
  }

  /** Starts a kept worker, or fails every case (infrastructure) and returns null when it cannot be started. */
  private Worker start(List<TestCase> cases, CaseSink sink) {
    try {
      return newWorker();
    } catch (IOException e) {
      failAll(cases, sink, FailureKind.INFRASTRUCTURE, "cannot start the worker (" + config.python() + "): " + e.getMessage());
      return null;
    }
  }

  private Worker newWorker() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(config.python(), "-m", "genbench_worker", "--jobs-stdin");
    // the worker first, then whatever the user's PYTHONPATH adds (e.g. a diffusers checkout for --backend diffusers)
    String inherited = System.getenv("PYTHONPATH");
    pb.environment().put("PYTHONPATH", config.workerSource() + (inherited == null || inherited.isBlank() ? "" : ":" + inherited));
    pb.environment().put("PYTHONUNBUFFERED", "1");
    if (gpu != null) pb.environment().put("CUDA_VISIBLE_DEVICES", gpu);
    long spawnNs = System.nanoTime();
    Process process = pb.start();
    started.incrementAndGet();
    // the first line of the case's worker.log: the controller's part of the time to the first event (the JVM's uptime is
    // read after the start, so that loading its classes does not delay the worker)
    double after = (java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L - (System.nanoTime() - spawnNs)) / 1e9;
    return new Worker(process, String.format(java.util.Locale.ROOT, "genbench: worker process started %.2f s after the JVM's"
        + " start (its command line and what ran before the worker)", Math.max(0, after)));
  }

  /** One worker process, kept across jobs: its pipes, its log reader and its shutdown-hook reaper. */
  private static final class Worker {
    final Process process;
    final java.io.OutputStream stdin;
    final BoundedLines out;
    final Thread reaper;
    final Thread stderr;
    final Object lock = new Object();
    // under lock: where the log reader delivers, and what it has seen
    CaseSink sink;
    State state;
    /** Log lines written while no job ran (before the first or between two): handed to the next job's first case. */
    final List<String> idleLog = new ArrayList<>();
    final List<String> tail = new ArrayList<>();
    int endsOfJobLogged;
    boolean stderrEnded;
    /** The worker's hello and its line, once it said it; handed again to every later call. */
    WorkerEvent.Hello hello;
    String helloLine;
    /** Whether a job was sent to it (its first job's case log says when). */
    boolean jobSent;

    Worker(Process process, String firstLog) {
      this.process = process;
      idleLog.add(firstLog);
      this.stdin = process.getOutputStream();
      this.out = new BoundedLines(process.getInputStream(), BoundedLines.EVENT_LINE_BYTES);
      // Ctrl-C or a SIGTERM to genbench must not leave a worker holding the GPU
      this.reaper = new Thread(() -> HostCommand.killTree(process), "worker-reaper");
      Runtime.getRuntime().addShutdownHook(reaper);
      this.stderr = Thread.ofPlatform().daemon().name("worker-stderr").start(this::readLog);
    }

    private void readLog() {
      try (var err = process.getErrorStream()) {
        BoundedLines r = new BoundedLines(err, BoundedLines.LOG_LINE_BYTES);
        BoundedLines.Line read;
        while ((read = r.next()) != null) {
          String line = read.marked(BoundedLines.LOG_LINE_BYTES);
          synchronized (lock) {
            if (line.startsWith(END_OF_JOB_LOG)) {
              endsOfJobLogged++;
              lock.notifyAll();
              continue;
            }
            tail.add(line);
            if (tail.size() > 20) tail.remove(0);
            if (sink != null && !state.closed) sink.log(state.attribution(), line);
            else if (idleLog.size() < 1000) idleLog.add(line);
          }
        }
      } catch (IOException e) {
        // the process is gone; its exit is handled by the job's supervisor
      } finally {
        synchronized (lock) {
          stderrEnded = true;
          lock.notifyAll();
        }
      }
    }

    /** Waits until the log reader has read the worker's end-of-job line for its {@code jobs}-th job (bounded). */
    void awaitEndOfJobLog(int jobs) {
      long deadline = System.nanoTime() + LOG_DRAIN_MS * 1_000_000;
      synchronized (lock) {
        long left;
        while (endsOfJobLogged < jobs && !stderrEnded && (left = deadline - System.nanoTime()) > 0) {
          try {
            lock.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    /** Ends the process: stdin closed, {@code graceMs} to exit on its own, then its tree killed; the reaper removed. */
    void end(long graceMs) {
      try {
        stdin.close();
      } catch (IOException e) {
        // a broken pipe: it is gone already
      }
      try {
        process.waitFor(graceMs, TimeUnit.MILLISECONDS);
        HostCommand.killTree(process); // still running after its grace, or a child it left behind holding the GPU
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        HostCommand.killTree(process);
        Thread.currentThread().interrupt();
      }
      join(stderr, 2000);
      synchronized (lock) {
        sink = null;
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs
      }
    }
  }

  private Set<String> superviseJob(Worker w, List<TestCase> cases, Settings settings, CaseSink sink) {
    Object lock = w.lock;
    State state = new State();
    Set<String> done = new HashSet<>();
    synchronized (lock) {
      state.expected = cases.getFirst().id();
      state.startedNs = ticker.read();
      state.helloSeen = w.hello != null;
      w.state = state;
      w.sink = sink;
      // what the worker logged while idle (its start, before this job): the case about to run, as before workers were kept
      for (String line : w.idleLog) sink.log(state.attribution(), line);
      w.idleLog.clear();
    }
    Process process = w.process;
    // the clock of a case starts when the worker is expected to work on it (at the job's start, or after the previous
    // case's done), not at its first event: a build or import that hangs before any event is a timeout too
    Thread watchdog = Thread.ofPlatform().daemon().name("worker-watchdog").start(() -> {
      while (process.isAlive()) {
        synchronized (lock) {
          if (state.over) return;
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
    WorkerEvent.JobDone ended = null;
    BoundedLines.Line read;
    while ((read = readLine(w.out)) != null) {
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
      if (event instanceof WorkerEvent.JobDone j) {
        ended = j;
        break;
      }
      synchronized (lock) {
        if (event.caseId() != null && !event.caseId().equals(state.current) && !done.contains(event.caseId())) {
          if (!event.caseId().equals(state.expected)) state.startedNs = ticker.read();
          state.current = event.caseId();
          state.expected = null;
        }
        if (event instanceof WorkerEvent.Hello h) {
          state.helloSeen = true;
          w.hello = h;
          w.helloLine = line;
        }
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
    synchronized (lock) {
      state.over = true;
    }
    watchdog.interrupt();
    join(watchdog, 5000);
    if (ended != null && !state.timedOut) {
      // the job is over and the worker waits for the next: its last log lines of this job first, then it is idle
      w.awaitEndOfJobLog(ended.jobs());
      synchronized (lock) {
        state.closed = true;
        w.sink = null;
        for (TestCase c : cases) {
          if (done.contains(c.id())) continue;
          String message = ended.error() != null ? "the worker could not run its job: " + ended.error()
              : "the worker ended its job without running this case";
          sink.log(c.id(), "genbench: " + message);
          sink.event(new WorkerEvent.Failed(c.id(), FailureKind.INFRASTRUCTURE, message));
          sink.event(new WorkerEvent.Done(c.id()));
          done.add(c.id());
        }
      }
      return done;
    }
    // the worker's stdout ended: it died (or was killed by the watchdog); no later job goes to it
    if (worker == w) worker = null;
    int exit = waitFor(process);
    join(w.stderr, 2000);
    if (w.stderr.isAlive()) {
      // a grandchild still holds stderr open: end it, so no log line reaches the sink after this method returns
      HostCommand.killTree(process);
      join(w.stderr, 5000);
    }
    w.end(0);
    synchronized (lock) {
      state.closed = true;
      w.sink = null;
      FailureKind died = state.timedOut ? FailureKind.TIMEOUT : kindOfExit(exit);
      String message = state.timedOut ? "killed after timeout_s = " + settings.timeoutS() + " s"
          : "worker exited with code " + exit + signalName(exit);
      String victim = state.current != null ? state.current : state.expected;
      if (victim == null) return done;
      if (state.current == null && !state.helloSeen && !state.timedOut) {
        // it never started: every remaining case would fail the same way
        String last = w.tail.isEmpty() ? "" : "; last log line: " + w.tail.getLast();
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
    /** The job's events ended (its job_done, or the worker's end): the watchdog stops. */
    boolean over;

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
   * Finds torch without importing it (an import of a CUDA build costs 2 s or more on a GPU host, paid again by the
   * worker itself): the package's location and the version its {@code version.py} records. A torch that is there but
   * cannot import fails the worker's start instead, whose error carries the import's last log line.
   */
  static final String FIND_TORCH = String.join("\n",
      "import importlib.util, os, re, sys",
      "spec = importlib.util.find_spec('torch')",
      "if spec is None or not spec.submodule_search_locations: sys.exit(\"No module named 'torch'\")",
      "path = os.path.join(list(spec.submodule_search_locations)[0], 'version.py')",
      "found = re.search(r'__version__\\s*=\\s*[\\'\"]([^\\'\"]+)', open(path).read()) if os.path.exists(path) else None",
      "print(found.group(1) if found else 'unknown')");

  /**
   * Finds an interpreter that has torch: {@code GENBENCH_PYTHON}, then {@code python3} on PATH, then
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
      var result = HostCommand.run(List.of(python, "-c", FIND_TORCH), java.util.Map.of(), java.time.Duration.ofSeconds(120), true);
      if (result.isPresent() && result.get().exit() == 0) return python;
      tried.add(python + " (" + result.map(r -> r.out().trim().lines().reduce((a, b) -> b).orElse("exit " + r.exit()))
          .orElse("not found, or no answer within 120 s") + ")");
    }
    throw new UserError(Character.toUpperCase(who.charAt(0)) + who.substring(1) + " needs a Python with PyTorch >= 1.13. Tried: "
        + String.join("; ", tried) + ". Install it (Debian: apt-get install python3-torch), set GENBENCH_PYTHON, " + otherwise + ".");
  }
}
