package io.genbench.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the serving workers leave a batch's pixels (format {@code file} of protocol/PROTOCOL.md, "Serving"): one file
 * per worker in a private directory ({@code genbench-serve-*}, mode 700) in shared memory ({@code /dev/shm}) where the
 * machine has it, else in the temporary directory. A worker overwrites its file with each batch and cuts it to the
 * batch's size, so the files hold at most one batch per worker; {@link #close} deletes them (and a JVM that exits
 * without closing deletes them on exit).
 */
final class PixelFiles implements AutoCloseable {
  private final Path dir;
  private final List<Path> files;

  private PixelFiles(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
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
        Path f = Files.createFile(dir.resolve("worker-" + i + ".rgb"));
        f.toFile().deleteOnExit();
        files.add(f);
      }
      return new PixelFiles(dir, files);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the files the serving workers hand pixels back through, in " + root
          + ": " + e.getMessage(), e);
    }
  }

  /** Worker {@code i}'s file. */
  Path file(int i) {
    return files.get(i);
  }

  Path dir() {
    return dir;
  }

  /** {@code length} bytes at {@code offset} of {@code file}. */
  static byte[] read(Path file, long offset, int length) {
    byte[] out = new byte[length];
    ByteBuffer buf = ByteBuffer.wrap(out);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new IOException("the file ends at " + (offset + buf.position()) + " bytes, before the image's end at " + (offset + length));
        }
      }
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
