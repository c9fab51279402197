package io.genbench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file the user names as input (a plan, a suite config, a job template), read only when it is a regular file and
 * no larger than its kind can be: {@code /dev/zero} would be read until memory runs out and a FIFO would block
 * forever, so either is refused at once, by name, before a byte is read.
 */
public final class InputFile {
  private InputFile() {}

  /**
   * The file's bytes.
   *
   * @param what what the file is, for messages, e.g. {@code Plan file} or {@code --job-template}
   * @param maxBytes the most a file of this kind can hold
   * @throws UserError when it does not exist, is not a regular file, is larger than {@code maxBytes} or cannot be read
   */
  public static byte[] read(Path path, String what, long maxBytes) {
    requireRegular(path, what);
    try (InputStream in = Files.newInputStream(path)) {
      // read at most one byte past the limit: the size on disk may be stale (a growing file) or wrong (procfs)
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) throw tooLarge(path, what, maxBytes);
      return bytes;
    } catch (NoSuchFileException e) {
      throw new UserError(what + " " + path + " does not exist.");
    } catch (AccessDeniedException e) {
      throw new UserError("Cannot read " + what + " " + path + ": permission denied.");
    } catch (IOException e) {
      throw new UserError("Cannot read " + what + " " + path + ": " + e.getMessage());
    }
  }

  /**
   * Refuses anything but an existing regular file (symbolic links are followed): a directory, a device, a FIFO or a
   * socket exits at once, naming it and what it is.
   */
  public static void requireRegular(Path path, String what) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new UserError(what + " " + path + " does not exist.");
    } catch (IOException e) {
      throw new UserError("Cannot read " + what + " " + path + ": " + e.getMessage());
    }
    if (a.isRegularFile()) return;
    String kind = a.isDirectory() ? "a directory" : a.isOther() ? kindOfOther(path) : "not a regular file";
    throw new UserError(what + " " + path + " is " + kind + ", not a regular file: give the path of a file.");
  }

  private static String kindOfOther(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode");
      if (mode instanceof Integer m) {
        return switch (m & 0170000) {
          case 0010000 -> "a FIFO (named pipe)";
          case 0020000 -> "a character device";
          case 0060000 -> "a block device";
          case 0140000 -> "a socket";
          default -> "a special file";
        };
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // fall through: the kind is only for the message
    }
    return "a special file";
  }

  private static UserError tooLarge(Path path, String what, long maxBytes) {
    return new UserError(what + " " + path + " is larger than " + human(maxBytes) + ", more than a file of its kind can be:"
        + " is it the right file?");
  }

  private static String human(long bytes) {
    return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
  }
}
