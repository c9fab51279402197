package io.genbench.store;

import io.genbench.UserError;
import io.genbench.execute.WorkerEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code results/<run-id>/}: {@code plan.yaml}, {@code environment.json}, {@code cases/<case-id>/events.jsonl} (raw,
 * append-only), {@code cases/<case-id>/worker.log}, {@code cases/<case-id>/result.json}, and the report views. A case
 * whose {@code result.json} exists is done. Every file but the append-only logs is written to a temporary file and
 * renamed, so a killed run never leaves a half-written file behind.
 */
public final class RunDirectory {
  public static final String PLAN = "plan.yaml";
  public static final String ENVIRONMENT = "environment.json";
  public static final String EVENTS = "events.jsonl";
  public static final String RESULT = "result.json";
  public static final String WORKER_LOG = "worker.log";

  private final Path root;

  private RunDirectory(Path root) {
    this.root = root;
  }

  /** Creates a new, empty run directory; refuses one that exists, so no run is overwritten. */
  public static RunDirectory create(Path root) {
    if (Files.exists(root)) throw new UserError("Run directory " + root + " already exists: choose another --out, or --resume it.");
    try {
      Files.createDirectories(root.resolve("cases"));
    } catch (IOException e) {
      throw new UserError("Cannot create run directory " + root + ": " + e.getMessage());
    }
    return new RunDirectory(root);
  }

  /** Opens an existing run directory (to resume it or rebuild its reports). */
  public static RunDirectory open(Path root) {
    if (!Files.isRegularFile(root.resolve(PLAN))) {
      throw new UserError("Not a genbench run directory: " + root + " (it has no " + PLAN + "). Give the directory `genbench run` printed.");
    }
    return new RunDirectory(root);
  }

  public Path root() {
    return root;
  }

  public Path file(String name) {
    return root.resolve(name);
  }

  public Path caseDir(String caseId) {
    return root.resolve("cases").resolve(caseId);
  }

  /** True when the case finished earlier (its result.json exists): a resumed run skips it. */
  public boolean isDone(String caseId) {
    return Files.isRegularFile(caseDir(caseId).resolve(RESULT));
  }

  /** Ids of every case directory, sorted. */
  public List<String> caseIds() {
    try (Stream<Path> dirs = Files.list(root.resolve("cases"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Opens a fresh event log for a case. Events of an interrupted earlier attempt are kept, renamed to
   * {@code events.interrupted-N.jsonl}, never overwritten.
   */
  public EventLog startCase(String caseId) {
    Path dir = caseDir(caseId);
    try {
      Files.createDirectories(dir);
      Path events = dir.resolve(EVENTS);
      if (Files.exists(events)) {
        int n = 1;
        while (Files.exists(dir.resolve("events.interrupted-" + n + ".jsonl"))) n++;
        Files.move(events, dir.resolve("events.interrupted-" + n + ".jsonl"));
      }
      return new EventLog(new BufferedWriter(new java.io.OutputStreamWriter(
              Files.newOutputStream(events, StandardOpenOption.CREATE_NEW), StandardCharsets.UTF_8), 1 << 16),
          Files.newBufferedWriter(dir.resolve(WORKER_LOG), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
              StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start case " + caseId + " in " + dir, e);
    }
  }

  /**
   * Reopens a case's event log to append the next trial's events (the case's earlier trials stay in it); the worker
   * log is appended to as well.
   */
  public EventLog continueCase(String caseId) {
    Path dir = caseDir(caseId);
    try {
      return new EventLog(new BufferedWriter(new java.io.OutputStreamWriter(
              Files.newOutputStream(dir.resolve(EVENTS), StandardOpenOption.APPEND), StandardCharsets.UTF_8), 1 << 16),
          Files.newBufferedWriter(dir.resolve(WORKER_LOG), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
              StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot continue case " + caseId + " in " + dir, e);
    }
  }

  /** Reads a case's events. A torn last line (the process was killed mid-write) is skipped. */
  public List<WorkerEvent> readEvents(String caseId) {
    Path events = caseDir(caseId).resolve(EVENTS);
    List<WorkerEvent> out = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) continue;
        try {
          out.add(WorkerEvent.parse(line));
        } catch (IllegalArgumentException e) {
          if (i < lines.size() - 1) throw new IllegalStateException("corrupt event in " + events + " line " + (i + 1) + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + events + ": " + e, e);
    }
    return out;
  }

  /** Appends a line to a case's worker log after its event log was closed (output a worker wrote late). */
  public void appendLog(String caseId, String line) {
    try {
      Files.writeString(caseDir(caseId).resolve(WORKER_LOG), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code n} lines of a case's worker log. */
  public List<String> logTail(String caseId, int n) {
    Path log = caseDir(caseId).resolve(WORKER_LOG);
    if (!Files.exists(log)) return List.of();
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Writes a file atomically: a temporary file in the same directory, then a rename. */
  public static void writeAtomic(Path target, String content) {
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /**
   * The append-only event log and worker log of one case. Events reach the file at least every 100 ms and at
   * {@code failed}, {@code done} and close: a killed run loses at most the last 100 ms of a case that was not
   * finished anyway (it has no result.json, so a resumed run repeats it), and the per-sample cost stays a buffer copy.
   */
  public static final class EventLog implements AutoCloseable {
    private static final long FLUSH_INTERVAL_NS = 100_000_000L;
    private final BufferedWriter events;
    private final BufferedWriter log;
    private long lastFlushNs = System.nanoTime();

    EventLog(BufferedWriter events, BufferedWriter log) {
      this.events = events;
      this.log = log;
    }

    public void append(WorkerEvent event) {
      append(event, WorkerEvent.toLine(event));
    }

    /** Appends an event as the given line, which must be that event's JSON (as the worker wrote it). */
    public void append(WorkerEvent event, String line) {
      try {
        events.write(line);
        events.write('\n');
        long now = System.nanoTime();
        if (event instanceof WorkerEvent.Done || event instanceof WorkerEvent.Failed || now - lastFlushNs > FLUSH_INTERVAL_NS) {
          events.flush();
          lastFlushNs = now;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void log(String line) {
      try {
        log.write(line);
        log.write('\n');
        log.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        events.close();
        log.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
