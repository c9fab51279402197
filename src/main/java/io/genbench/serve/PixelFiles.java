package io.genbench.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the serving workers leave a batch's pixels (format {@code file} of protocol/PROTOCOL.md, "Serving"): two files
 * per worker in a private directory ({@code genbench-serve-*}, mode 700) in shared memory ({@code /dev/shm}) where the
 * machine has it, else in the temporary directory. A worker overwrites the start of the file it is given with each
 * batch, keeping it mapped: the file only grows (to the largest batch it has held). The two files of a worker alternate
 * (double buffering): a batch is sent with a file {@link #acquire leased} until its pixels are read, so the next batch
 * writes the other one while this one is read, and a file is never given out while it is being read. This side keeps
 * each file open and mapped too, for as long as it lives ({@link #read}). {@link #close} deletes them (and a JVM that
 * exits without closing deletes them on exit).
 */
final class PixelFiles implements AutoCloseable {
  /** Files per worker. */
  static final int SLOTS = 2;

  /** One of a worker's files, leased from {@link #acquire} to {@link #release}. */
  record Lease(int worker, int slot, Path file) {}

  private final Path dir;
  private final List<Path> files;
  /** Each file's mapping for {@link #read}; the map itself never changes (reads from several threads look it up). */
  private final Map<Path, Mapped> mapped;
  private final boolean[] leased;
  private final int[] last;
  private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition freed = lock.newCondition();

  private PixelFiles(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
    Map<Path, Mapped> m = new HashMap<>();
    for (Path f : files) m.put(f, new Mapped(f));
    this.mapped = Map.copyOf(m);
    this.leased = new boolean[files.size()];
    this.last = new int[files.size() / SLOTS];
    java.util.Arrays.fill(last, SLOTS - 1);
  }

  /** A directory and {@code workers} empty files, in {@code /dev/shm} when it is a writable directory. */
  static PixelFiles create(int workers) {
    Path shm = Path.of("/dev/shm");
    Path root = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    return create(root, workers);
  }

  static PixelFiles create(Path root, int workers) {
    try {
      Path dir = Files.createTempDirectory(root, "genbench-serve-");
      dir.toFile().deleteOnExit();
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        for (int k = 0; k < SLOTS; k++) {
          Path f = Files.createFile(dir.resolve("worker-" + i + "-" + k + ".rgb"));
          f.toFile().deleteOnExit();
          files.add(f);
        }
      }
      return new PixelFiles(dir, files);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the files the serving workers hand pixels back through, in " + root
          + ": " + e.getMessage(), e);
    }
  }

  /**
   * A file of worker {@code worker} that nobody reads or writes now: the one it did not get last time when that is free,
   * else the other; waits up to {@code timeoutNs} for one to be {@link #release released}.
   *
   * @return null when none was freed in time
   */
  Lease acquire(int worker, long timeoutNs) throws InterruptedException {
    long left = timeoutNs;
    lock.lock();
    try {
      while (true) {
        for (int k = 1; k <= SLOTS; k++) {
          int slot = (last[worker] + k) % SLOTS;
          int i = worker * SLOTS + slot;
          if (!leased[i]) {
            leased[i] = true;
            last[worker] = slot;
            return new Lease(worker, slot, files.get(i));
          }
        }
        if (left <= 0) return null;
        left = freed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The lease's file may be written again (its pixels are read, or its batch failed). */
  void release(Lease lease) {
    lock.lock();
    try {
      int i = lease.worker() * SLOTS + lease.slot();
      if (!leased[i]) throw new IllegalStateException("file " + lease.file() + " released twice");
      leased[i] = false;
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  Path dir() {
    return dir;
  }

  /**
   * {@code length} bytes at {@code offset} of {@code file} (one of these files), in an array of their own, copied once
   * from the file's mapping: the file stays open and mapped from its first read to {@link #close}, mapped again only when
   * the region lies past the mapping (the worker grew the file). A per-read open and map cost 0.79 ms P50 for a 768²
   * image on an H100 host (bench/serve_trace.py). Reads of different files may run at once (each file's state is its
   * own); a lease keeps a file from being written while it is read.
   */
  byte[] read(Path file, long offset, int length) {
    Mapped m = mapped.get(file);
    if (m == null) throw new IllegalArgumentException(file + " is not one of the pixel files in " + dir);
    return m.read(offset, length);
  }

  /** One file's channel and read-only mapping, guarded by its own monitor. */
  private static final class Mapped {
    private final Path file;
    private FileChannel channel;
    private MappedByteBuffer buffer;
    private boolean closed;

    Mapped(Path file) {
      this.file = file;
    }

    synchronized byte[] read(long offset, int length) {
      byte[] out = new byte[length];
      try {
        if (closed) throw new IOException("the pixel files are closed");
        if (channel == null) channel = FileChannel.open(file, StandardOpenOption.READ);
        // the size every time (one fstat): a file cut short is a clear error here, not a fault in the copy
        long size = channel.size();
        if (offset < 0 || offset + length > size) {
          throw new IOException("the file ends at " + size + " bytes, before the image's end at " + (offset + length));
        }
        if (length == 0) return out;
        if (buffer == null || offset + length > buffer.capacity()) {
          if (size > Integer.MAX_VALUE) throw new IOException("the file is " + size + " bytes, more than one mapping holds");
          buffer = null;  // the old mapping is unmapped once collected
          buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        buffer.get((int) offset, out);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the worker's pixels from " + file + ": " + e.getMessage(), e);
      }
      return out;
    }

    synchronized void close() {
      closed = true;
      buffer = null;  // unmapped when collected: the JDK unmaps a MappedByteBuffer only then
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          System.err.println("genbench serve: could not close " + file + ": " + e.getMessage());
        }
        channel = null;
      }
    }
  }

  @Override
  public void close() {
    mapped.values().forEach(Mapped::close);
    try {
      for (Path f : files) Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      System.err.println("genbench serve: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
