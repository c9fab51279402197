package io.genbench.store;

import io.genbench.UserError;
import io.genbench.wire.WorkerEvent;
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
  public static final String LOCK = "run.lock";

  private final Path root;
  private final java.util.Map<String, String> pending = new java.util.concurrent.ConcurrentHashMap<>();

  private RunDirectory(Path root) {
    this.root = root;
  }

  /** Creates a new, empty run directory; refuses one that exists, so no run is overwritten. */
  public static RunDirectory create(Path root) {
    return create(root, java.util.Map.of());
  }

  /**
   * Creates a run directory holding the given files, atomically: everything is written into a temporary sibling that
   * is then renamed, so a kill at any moment leaves either no run directory or one with all of them (a plan.yaml
   * that {@code --resume} can finish). Refuses a directory that exists, so no run is overwritten.
   */
  public static RunDirectory create(Path root, java.util.Map<String, String> files) {
    if (root.toString().isBlank() || root.getFileName() == null) {
      throw new UserError("Run directory \"" + root + "\" names no directory: give --out a path, e.g. --out results/my-run.");
    }
    if (Files.exists(root)) throw new UserError("Run directory " + root + " already exists: choose another --out, or --resume it.");
    Path parent = root.toAbsolutePath().getParent();
    for (Path up = parent; up != null; up = up.getParent()) {
      if (Files.isDirectory(up)) break;
      if (Files.exists(up)) {
        throw new UserError("Cannot create run directory " + root + ": " + up + " is a file, not a directory. Choose another"
            + " --out, or move the file away.");
      }
    }
    Path staging = parent.resolve(stagingName(root));
    try {
      Files.createDirectories(parent);
      removeDeadStaging(parent);
      deleteTree(staging);
      Files.createDirectories(staging.resolve("cases"));
      for (var f : files.entrySet()) writeAtomic(staging.resolve(f.getKey()), f.getValue());
      Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      deleteTree(staging);
      throw new UserError("Run directory " + root + " already exists: choose another --out, or --resume it.");
    } catch (IOException | UncheckedIOException e) {
      deleteTree(staging);
      throw new StorageError(e instanceof UncheckedIOException u ? u.getCause() : (IOException) e, root, "create the run directory");
    }
    return new RunDirectory(root);
  }

  /** A temporary file of {@link #writeAtomic}: {@code .NAME.PID.N.tmp}, PID the writing process. */
  private static final java.util.regex.Pattern TEMP = java.util.regex.Pattern.compile("\\..+\\.(\\d+)\\.\\d+\\.tmp");
  /** A staging directory of {@link #create}: {@code .creating-PID-HASH} ({@link #stagingName}), or the older {@code .NAME.creating-PID}. */
  private static final java.util.regex.Pattern STAGING =
      java.util.regex.Pattern.compile("\\.(?:.+\\.)?creating-(\\d+)(?:-[0-9a-f]{8})?");

  /** True when the process whose id a leftover's name holds is gone (never for this process). */
  private static boolean leftBehind(java.util.regex.Pattern pattern, String name) {
    var m = pattern.matcher(name);
    if (!m.matches()) return false;
    long pid = parsePid(m.group(1));
    if (pid < 0 || pid == ProcessHandle.current().pid()) return false;
    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  /** Removes the staging directories a killed {@code genbench run} left in {@code parent}; returns them. */
  private static List<Path> removeDeadStaging(Path parent) {
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> all = Files.list(parent)) {
      for (Path p : all.toList()) {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && leftBehind(STAGING, p.getFileName().toString())) {
          deleteTree(p);
          removed.add(p);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort: a hidden leftover is harmless
    }
    return removed;
  }

  /**
   * Removes what a process killed while writing this run left (its id is in each name, and it is no longer alive):
   * temporary files of atomic writes anywhere in the run directory, and staging directories of a run being created
   * beside it. A leftover of a live process (a run or report still writing) stays. Returns what was removed.
   */
  public List<Path> removeLeftovers() {
    List<Path> removed = new ArrayList<>();
    Path parent = root.toAbsolutePath().getParent();
    if (parent != null) removed.addAll(removeDeadStaging(parent));
    try (Stream<Path> all = Files.walk(root, 6)) { // root/interference/cases/<id>/file is the deepest written
      for (Path p : all.toList()) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && leftBehind(TEMP, p.getFileName().toString())) {
          Files.deleteIfExists(p);
          removed.add(p);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort: a hidden leftover is harmless
    }
    return removed;
  }

  /**
   * Refuses a run directory holding a symbolic link anywhere below its root: genbench writes only inside the run
   * directory, and a link ({@code cases/<id>} pointing elsewhere) would take its writes outside. The root itself may
   * be a link ({@code results/latest}). A {@link UserError} names the link and its target.
   */
  public void refuseLinks() {
    try (Stream<Path> all = Files.walk(root.toRealPath())) { // walk does not follow links: each is seen as itself
      for (Path p : all.skip(1).toList()) {
        if (Files.isSymbolicLink(p)) throw linkError(p);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new StorageError(e instanceof UncheckedIOException u ? u.getCause() : (IOException) e, root, "check the run directory for links");
    }
  }

  private static UserError linkError(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      target = "?";
    }
    return new UserError(link + " is a symbolic link (to " + target + "): genbench writes only inside the run directory and"
        + " follows no link in it. Replace the link with what it points to (or remove it), then run the command again.");
  }

  /**
   * Checks that writing {@code target} stays inside this run directory: it lies below the root and no directory
   * between them, nor the file itself, is a symbolic link. Returns it.
   */
  public Path inside(Path target) {
    Path base = root.toAbsolutePath().normalize();
    Path t = target.toAbsolutePath().normalize();
    if (!t.startsWith(base) || t.equals(base)) throw new IllegalArgumentException(target + " is not inside the run directory " + root);
    Path p = base;
    for (Path name : base.relativize(t)) {
      p = p.resolve(name);
      if (Files.isSymbolicLink(p)) throw linkError(p);
    }
    return target;
  }

  /** {@link #writeAtomic} of a file of this run, after checking that the write stays inside it ({@link #inside}). */
  public void write(Path target, String content) {
    writeAtomic(inside(target), content);
  }

  /**
   * The hidden sibling a run directory is built in: {@code .creating-<pid>-<hash of the name>}, short whatever the
   * name's length (a legal 250-character --out would overflow the 255-byte name limit with the name in it).
   */
  static String stagingName(Path root) {
    return ".creating-" + ProcessHandle.current().pid() + "-"
        + String.format(java.util.Locale.ROOT, "%08x", root.getFileName().toString().hashCode());
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a hidden leftover is harmless
    }
  }

  /**
   * Takes the run's lock ({@code run.lock}, holding this process's id) for as long as the returned lock is open: one
   * run per directory. Another process holding it is a usage error that names that process.
   */
  public RunLock lock() {
    Path file = root.resolve(LOCK);
    try {
      var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      java.nio.channels.FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        String holder;
        try {
          holder = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
          holder = "";
        }
        String who = holder.isEmpty() ? "another process" : "process " + holder
            + ProcessHandle.of(parsePid(holder)).flatMap(h -> h.info().command()).map(c -> " (" + c + ")").orElse("");
        throw new UserError("Run directory " + root + " is in use by " + who + ". One run per directory: wait for it to"
            + " finish (or stop it), then --resume it again.");
      }
      channel.truncate(0);
      channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new RunLock(channel, lock);
    } catch (IOException e) {
      throw new StorageError(e, file, "lock the run directory");
    }
  }

  private static long parsePid(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The held lock of a run directory; closing it lets the next run in. */
  public static final class RunLock implements AutoCloseable {
    private final java.nio.channels.FileChannel channel;
    private final java.nio.channels.FileLock lock;

    RunLock(java.nio.channels.FileChannel channel, java.nio.channels.FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // the lock goes with the channel, or with the process
      }
    }
  }

  /** True when {@code dir} is a run directory: its {@code plan.yaml} and {@code cases/} are there. */
  public static boolean isRunDirectory(Path dir) {
    return Files.isRegularFile(dir.resolve(PLAN)) && Files.isDirectory(dir.resolve("cases"));
  }

  /** Opens an existing run directory (to resume it or rebuild its reports). */
  public static RunDirectory open(Path root) {
    if (!Files.isRegularFile(root.resolve(PLAN))) {
      throw new UserError("Not a genbench run directory: " + root + " (it has no " + PLAN + "). Give the directory `genbench run` printed"
          + " (a run killed before it wrote its plan leaves none: start it again).");
    }
    return new RunDirectory(root);
  }

  public Path root() {
    return root;
  }

  /** Folder of the neighbour-interference check of a run on several GPUs: cases re-run alone, same layout. */
  public static final String INTERFERENCE = "interference";

  /**
   * A directory inside this run with the same case layout ({@code cases/<id>/events.jsonl}, result.json), for
   * measurements that are not the plan's cases, such as {@link #INTERFERENCE}. Not locked on its own: the run's lock
   * covers it.
   */
  public RunDirectory sub(String name) {
    return new RunDirectory(root.resolve(name));
  }

  public Path file(String name) {
    return root.resolve(name);
  }

  public Path caseDir(String caseId) {
    return root.resolve("cases").resolve(caseId);
  }

  /** True when the case finished earlier (its result.json exists): a resumed run skips it. */
  public boolean isDone(String caseId) {
    return pending.containsKey(caseId) || Files.isRegularFile(caseDir(caseId).resolve(RESULT));
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
    inside(dir.resolve(EVENTS));
    inside(dir.resolve(WORKER_LOG));
    try {
      Files.createDirectories(dir);
      Path events = dir.resolve(EVENTS);
      if (Files.exists(events)) {
        int n = 1;
        while (Files.exists(dir.resolve("events.interrupted-" + n + ".jsonl"))) n++;
        Files.move(events, dir.resolve("events.interrupted-" + n + ".jsonl"));
      }
      return new EventLog(events, dir.resolve(WORKER_LOG), new BufferedWriter(new java.io.OutputStreamWriter(
              Files.newOutputStream(events, StandardOpenOption.CREATE_NEW), StandardCharsets.UTF_8), 1 << 16),
          Files.newBufferedWriter(dir.resolve(WORKER_LOG), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
              StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new StorageError(e, dir.resolve(EVENTS), "start case " + caseId + ": cannot write");
    }
  }

  /**
   * Reopens a case's event log to append the next trial's events (the case's earlier trials stay in it); the worker
   * log is appended to as well.
   */
  public EventLog continueCase(String caseId) {
    Path dir = caseDir(caseId);
    Path events = inside(dir.resolve(EVENTS));
    inside(dir.resolve(WORKER_LOG));
    try {
      return new EventLog(events, dir.resolve(WORKER_LOG), new BufferedWriter(new java.io.OutputStreamWriter(
              Files.newOutputStream(events, StandardOpenOption.APPEND), StandardCharsets.UTF_8), 1 << 16),
          Files.newBufferedWriter(dir.resolve(WORKER_LOG), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
              StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new StorageError(e, events, "continue case " + caseId + ": cannot write");
    }
  }

  /** Reads a case's events; damaged lines are skipped (see {@link #readLog} for what was damaged). */
  public List<WorkerEvent> readEvents(String caseId) {
    return readLog(caseId).events();
  }

  /**
   * A case's event log as read: the events, and each damaged line (torn by a kill or a full disk, or garbage) named
   * with its file and line number.
   */
  public record Log(List<WorkerEvent> events, List<String> damage) {}

  /**
   * Reads a case's events, skipping and naming each line that cannot be counted: one that is not an event (torn,
   * garbage, a sample missing a timing or holding a negative one), a sample of another case, and a second sample with
   * the same sequence number in the same trial (a duplicated line).
   */
  public Log readLog(String caseId) {
    Path events = caseDir(caseId).resolve(EVENTS);
    try {
      return readLog(events, caseId, Files.readAllLines(events, StandardCharsets.UTF_8));
    } catch (java.nio.charset.MalformedInputException e) {
      return new Log(List.of(), List.of(events + ": not UTF-8 text"));
    } catch (IOException e) {
      throw new StorageError(e, events, "read");
    }
  }

  /** {@link #readLog(String)} of the given lines, as read from {@code events} (named in the damage). */
  public static Log readLog(Path events, String caseId, List<String> lines) {
    List<WorkerEvent> out = new ArrayList<>();
    List<String> damage = new ArrayList<>();
    int trial = 1;
    java.util.Map<Integer, java.util.Set<Integer>> seen = new java.util.HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      String where = events + " line " + (i + 1);
      WorkerEvent event;
      try {
        event = WorkerEvent.parse(line);
      } catch (IllegalArgumentException e) {
        damage.add(where + (i == lines.size() - 1 ? " (the last: torn by a kill or a full disk)" : "")
            + ": not an event (" + e.getMessage() + ")");
        continue;
      }
      if (event instanceof WorkerEvent.Trial t) trial = t.trial();
      if (event instanceof WorkerEvent.Sample s) {
        if (!caseId.equals(s.caseId())) {
          damage.add(where + ": a sample of case " + s.caseId() + ", not " + caseId + "; not counted");
          continue;
        }
        if (!seen.computeIfAbsent(trial, k -> new java.util.HashSet<>()).add(s.sequence())) {
          damage.add(where + ": a second sample with " + (s.seq() != null ? "seq " : "iteration ") + s.sequence()
              + (trial > 1 || seen.size() > 1 ? " in trial " + trial : "") + " (a duplicated line); not counted");
          continue;
        }
      }
      out.add(event);
    }
    return new Log(out, damage);
  }

  /** True when the case has an event log. */
  public boolean hasEvents(String caseId) {
    return Files.isRegularFile(caseDir(caseId).resolve(EVENTS));
  }

  /**
   * Keeps a finished case's result that could not be written (a full disk): the case counts as done for this run, and
   * {@link #writePending} tries again. Its events.jsonl is complete, so a later {@code --resume} derives it anyway.
   */
  public void keepPending(String caseId, String resultJson) {
    pending.put(caseId, resultJson);
  }

  /** Writes every kept result; the first that still cannot be written ends in a {@link StorageError}. */
  public void writePending() {
    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      write(caseDir(e.getKey()).resolve(RESULT), e.getValue());
      it.remove();
    }
  }

  public boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Appends a line to a case's worker log after its event log was closed (output a worker wrote late). */
  public void appendLog(String caseId, String line) {
    inside(caseDir(caseId).resolve(WORKER_LOG));
    try {
      Files.writeString(caseDir(caseId).resolve(WORKER_LOG), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new StorageError(e, caseDir(caseId).resolve(WORKER_LOG), "write");
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

  /**
   * Writes a file atomically: a temporary file in the same directory ({@code .NAME.PID.N.tmp}, so a kill's leftover
   * names its process for {@link #removeLeftovers}), then a rename. Leaves no temporary file behind. The file gets the
   * permissions a plain create gives (0666 less the umask), as the file it replaces had, not a temporary file's 0600.
   */
  public static void writeAtomic(Path target, String content) {
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = createTemp(target);
      writer.write(tmp, content);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      if (tmp != null) tmp.toFile().delete();
      throw new StorageError(e, target, "write");
    }
  }

  private static Path createTemp(Path target) throws IOException {
    String prefix = "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".";
    for (int i = 0; ; i++) {
      Path tmp = target.resolveSibling(prefix + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
      try {
        return Files.createFile(tmp); // O_EXCL: never through a link; the umask decides the mode
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (i > 100) throw e;
      }
    }
  }

  /**
   * Makes {@code folder} hold exactly {@code files} (name → content) among its files ending in {@code suffix}: each is
   * written atomically, and one left from an earlier write that is not among them is deleted. For a folder of derived
   * files a rebuild replaces whole, such as a report's charts.
   */
  public static void replaceFiles(Path folder, java.util.Map<String, String> files, String suffix) {
    files.forEach((name, content) -> writeAtomic(folder.resolve(name), content));
    if (!Files.isDirectory(folder)) return;
    try (var listing = Files.list(folder)) {
      for (Path f : listing.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(suffix) && !files.containsKey(name)) Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new StorageError(e, folder, "clean up");
    }
  }

  /** How {@link #writeAtomic} puts content into its temporary file: a seam for tests that simulate a full disk. */
  @FunctionalInterface
  public interface FileWriter {
    void write(Path file, String content) throws IOException;
  }

  private static final FileWriter FILES = (file, content) -> Files.writeString(file, content, StandardCharsets.UTF_8);
  private static volatile FileWriter writer = FILES;

  /** Replaces the writer until the returned handle is closed (tests: a full disk, a read-only directory as root). */
  public static AutoCloseable useWriter(FileWriter replacement) {
    writer = replacement;
    return () -> writer = FILES;
  }

  /**
   * The append-only event log and worker log of one case. Events reach the file at least every 100 ms and at
   * {@code failed}, {@code done} and close: a killed run loses at most the last 100 ms of a case that was not
   * finished anyway (it has no result.json, so a resumed run repeats it), and the per-sample cost stays a buffer copy.
   */
  public static final class EventLog implements AutoCloseable {
    private static final long FLUSH_INTERVAL_NS = 100_000_000L;
    private final Path eventsFile;
    private final Path logFile;
    private final BufferedWriter events;
    private final BufferedWriter log;
    private long lastFlushNs = System.nanoTime();

    EventLog(Path eventsFile, Path logFile, BufferedWriter events, BufferedWriter log) {
      this.eventsFile = eventsFile;
      this.logFile = logFile;
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
        throw new StorageError(e, eventsFile, "write");
      }
    }

    public void log(String line) {
      try {
        log.write(line);
        log.write('\n');
        log.flush();
      } catch (IOException e) {
        throw new StorageError(e, logFile, "write");
      }
    }

    @Override
    public void close() {
      try {
        events.close();
        log.close();
      } catch (IOException e) {
        throw new StorageError(e, eventsFile, "write");
      }
    }
  }
}
