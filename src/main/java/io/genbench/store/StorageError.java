package io.genbench.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file of the run directory could not be written or read: names the file, what failed (no space left, permission
 * denied, ...) and what to do. Exit 1; every case already finished is kept (its events are on disk).
 */
public final class StorageError extends UncheckedIOException {
  private final Path file;

  public StorageError(IOException cause, Path file, String action) {
    super("cannot " + action + " " + file + ": " + reason(cause) + ". " + remedy(cause, file), cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }

  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    String m = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  static String remedy(IOException e, Path file) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (m.contains("no space") || m.contains("quota")) {
      return "Free space on the file system that holds " + file.getParent() + " (or point --out elsewhere)";
    }
    if (e instanceof AccessDeniedException || m.contains("read-only") || m.contains("permission")) {
      return "Make " + file.getParent() + " writable (or point --out elsewhere)";
    }
    return "Check the file system that holds " + file.getParent();
  }
}
