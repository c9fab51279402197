package io.genbench.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the serving workers leave a batch's pixels (format {@code file} of protocol/PROTOCOL.md, "Serving"): two files
 * per worker in a private directory ({@code genbench-serve-*}, mode 700) in shared memory ({@code /dev/shm}) where the
 * machine has it, else in the temporary directory. A worker overwrites the file it is given with each batch and cuts it
 * to the batch's size. The two files of a worker alternate (double buffering): a batch is sent with a file {@link
 * #acquire leased} until its pixels are read, so the next batch writes the other one while this one is read, and a
 * file is never given out while it is being read. The files hold at most two batches per worker; {@link #close} deletes
 * them (and a JVM that exits without closing deletes them on exit).
 */
final class PixelFiles implements AutoCloseable {
  /** Files per worker. */
  static final int SLOTS = 2;

  /** One of a worker's files, leased from {@link #acquire} to {@link #release}. */
  record Lease(int worker, int slot, Path file) {}

  private final Path dir;
  private final List<Path> files;
  private final boolean[] leased;
  private final int[] last;
  private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition freed = lock.newCondition();

  private PixelFiles(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
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
   * {@code length} bytes at {@code offset} of {@code file}, in an array of their own: the region is mapped and copied
   * once (a read through the channel copies twice, via a temporary direct buffer: 1.1 ms P50 for a 768² image on an
   * H100 host, bench/serve_trace.py; mapped 0.36 ms against 1.1 ms on the 2-core VM). The mapping goes with its buffer.
   */
  static byte[] read(Path file, long offset, int length) {
    byte[] out = new byte[length];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset + length > size) {
        throw new IOException("the file ends at " + size + " bytes, before the image's end at " + (offset + length));
      }
      if (length > 0) ch.map(FileChannel.MapMode.READ_ONLY, offset, length).get(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the worker's pixels from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      for (Path f : files) Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      System.err.println("genbench serve: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
