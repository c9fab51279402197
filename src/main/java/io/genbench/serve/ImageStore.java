package io.genbench.serve;

import io.genbench.execute.Ticker;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The images of {@code response_format: "url"} answers, served at {@code GET /v1/images/files/{id}.png} for a while:
 * each image gets a random 128-bit id (the URL is its own capability, as OpenAI's signed URLs are: no API key needed to
 * fetch it), its PNG is encoded on the encoding pool once the backend has read its pixels back, after the answer left
 * (a fetch that comes first waits for it; one whose image could not be read gets a 500 saying why), and it
 * is kept until {@code ttlNs} after it was stored or until {@code maxImages} newer ones push it out, whichever comes
 * first. So the answer leaves without the multi-megabyte body, and the store holds at most {@code maxImages} PNGs.
 */
final class ImageStore {
  /** Images kept by default: 256 SD 768x768 PNGs are about 450 MB. */
  static final int DEFAULT_MAX_IMAGES = 256;
  /** How long an image stays by default: 10 minutes (OpenAI's URLs last an hour; these are benchmark answers). */
  static final long DEFAULT_TTL_NS = 600_000_000_000L;

  private record Entry(CompletableFuture<byte[]> png, long storedNs) {}

  private final int maxImages;
  private final long ttlNs;
  private final Ticker ticker;
  private final Executor encoders;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  ImageStore(int maxImages, long ttlNs, Ticker ticker, Executor encoders) {
    if (maxImages < 1) throw new IllegalArgumentException("maxImages must be >= 1, was " + maxImages);
    this.maxImages = maxImages;
    this.ttlNs = ttlNs;
    this.ticker = ticker;
    this.encoders = encoders;
  }

  /** Keeps {@code image} (its PNG encoded in the background once it is there) and returns its id: 32 hex digits. */
  String put(CompletableFuture<ImageBackend.Image> image) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String id = HexFormat.of().formatHex(bytes);
    CompletableFuture<byte[]> png = image.thenApplyAsync(Png::encode, encoders);
    synchronized (entries) {
      expire();
      entries.put(id, new Entry(png, ticker.read()));
      while (entries.size() > maxImages) {
        Iterator<String> oldest = entries.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
    }
    return id;
  }

  /** The PNG of {@code id} (completing when encoded), or null when it is unknown or gone. */
  CompletableFuture<byte[]> get(String id) {
    synchronized (entries) {
      expire();
      Entry e = entries.get(id);
      return e == null ? null : e.png();
    }
  }

  /** Images held now. */
  int size() {
    synchronized (entries) {
      expire();
      return entries.size();
    }
  }

  /** Drops the entries past their time: the oldest come first. */
  private void expire() {
    long now = ticker.read();
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      if (now - it.next().storedNs() < ttlNs) break;
      it.remove();
    }
  }
}
