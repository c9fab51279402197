package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PixelFiles#read}: each file opened and mapped once, mapped again only when the worker grew it. */
final class PixelFilesTest {
  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed);
    return b;
  }

  /** As the worker writes: the start of the file overwritten in place, the file grown (never cut) when it is short. */
  private static void writeInPlace(Path file, byte[] data) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) ch.write(b, b.position());
    }
  }

  @Test
  void aReadAfterTheWorkerGrewTheFileSeesTheNewImagesAndTheOldMappingIsNotReusedPastItsEnd(@TempDir Path tmp) throws Exception {
    try (PixelFiles files = PixelFiles.create(tmp, 1)) {
      Path file = files.acquire(0, 0).file();
      byte[] small = bytes(100, 1);
      writeInPlace(file, small);
      assertThat(files.read(file, 0, 100)).isEqualTo(small);

      byte[] overwritten = bytes(100, 7);  // the next batch, same size: read through the same mapping
      writeInPlace(file, overwritten);
      assertThat(files.read(file, 50, 50)).isEqualTo(Arrays.copyOfRange(overwritten, 50, 100));

      byte[] large = bytes(10_000, 3);  // grown: the region lies past the first mapping
      writeInPlace(file, large);
      assertThat(files.read(file, 9_000, 1_000)).isEqualTo(Arrays.copyOfRange(large, 9_000, 10_000));
      assertThat(files.read(file, 0, 100)).isEqualTo(Arrays.copyOf(large, 100));
    }
  }

  @Test
  void twoThreadsReadTwoFilesAtOnceEachGettingItsOwnBytes(@TempDir Path tmp) throws Exception {
    try (PixelFiles files = PixelFiles.create(tmp, 1)) {
      List<Path> both = List.of(files.acquire(0, 0).file(), files.acquire(0, 0).file());
      List<byte[]> data = List.of(bytes(64 * 1024, 1), bytes(96 * 1024, 2));
      for (int k = 0; k < 2; k++) writeInPlace(both.get(k), data.get(k));
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Integer>> readers = List.of(0, 1).stream().map(k -> CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        int right = 0;
        for (int i = 0; i < 200; i++) {
          int offset = (i * 4096) % (data.get(k).length - 4096);
          if (Arrays.equals(files.read(both.get(k), offset, 4096), Arrays.copyOfRange(data.get(k), offset, offset + 4096))) right++;
        }
        return right;
      })).toList();

      go.countDown();

      for (var r : readers) assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    }
  }

  @Test
  void aReadPastTheEndOfTheFileIsAClearErrorEvenWithTheFileMappedLonger(@TempDir Path tmp) throws Exception {
    try (PixelFiles files = PixelFiles.create(tmp, 1)) {
      Path file = files.acquire(0, 0).file();
      writeInPlace(file, bytes(48, 1));
      assertThatThrownBy(() -> files.read(file, 24, 30)).hasMessageContaining("the file ends at 48 bytes, before the image's end at 54")
          .hasMessageContaining(file.toString());
      files.read(file, 0, 48);
      Files.write(file, bytes(30, 1));  // cut below the mapping: an error, not a fault in the copy
      assertThatThrownBy(() -> files.read(file, 0, 48)).hasMessageContaining("the file ends at 30 bytes");
    }
  }

  @Test
  void aFileThatIsNotOneOfThemAndAReadAfterCloseAreRefused(@TempDir Path tmp) throws Exception {
    PixelFiles files = PixelFiles.create(tmp, 1);
    Path file = files.acquire(0, 0).file();
    writeInPlace(file, bytes(48, 1));
    files.read(file, 0, 48);
    Path other = Files.write(tmp.resolve("other.rgb"), bytes(48, 1));
    assertThatThrownBy(() -> files.read(other, 0, 48)).hasMessageContaining("is not one of the pixel files");

    files.close();

    assertThat(file).doesNotExist();
    assertThatThrownBy(() -> files.read(file, 0, 48)).hasMessageContaining("the pixel files are closed");
  }
}
