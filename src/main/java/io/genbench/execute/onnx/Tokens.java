package io.genbench.execute.onnx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A deterministic stand-in for the CLIP tokenizer: begin token, one id per word (a hash below the vocabulary size),
 * end token, padded with the end token to {@code maxLength}. Not CLIP's BPE: tokenizing costs microseconds either way,
 * and the ids feed the same embedding table.
 */
final class Tokens {
  private Tokens() {}

  static long[] encode(String prompt, int vocab, int maxLength) {
    long bos = vocab - 2;
    long eos = vocab - 1;
    long[] ids = new long[maxLength];
    Arrays.fill(ids, eos);
    ids[0] = bos;
    int n = 1;
    for (String word : prompt.toLowerCase(Locale.ROOT).split("\\s+")) {
      if (word.isEmpty()) continue;
      if (n >= maxLength - 1) break;
      ids[n++] = Math.floorMod(fnv(word), vocab - 2);
    }
    return ids;
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
