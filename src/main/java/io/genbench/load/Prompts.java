package io.genbench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts requests carry: one per line of a text file, or JSONL (each line a JSON string, or an object with a
 * {@code prompt} or {@code text} field). Which prompt a request sends is a function of the seed and its index, so a
 * rerun sends the same sequence.
 */
public record Prompts(List<String> texts) {
  public Prompts {
    texts = List.copyOf(texts);
    if (texts.isEmpty()) throw new IllegalArgumentException("no prompts");
  }

  public static Prompts of(String prompt) {
    return new Prompts(List.of(prompt));
  }

  public static Prompts read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UserError("Cannot read the prompts file " + file + ": " + e.getMessage());
    }
    List<String> texts = new ArrayList<>();
    int n = 0;
    for (String line : lines) {
      n++;
      String s = line.strip();
      if (s.isEmpty()) continue;
      if (s.startsWith("{") || s.startsWith("\"")) {
        JsonNode node;
        try {
          node = Json.MAPPER.readTree(s);
        } catch (IOException e) {
          throw new UserError("Prompts " + file + " line " + n + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ").");
        }
        JsonNode text = node.isTextual() ? node : node.has("prompt") ? node.get("prompt") : node.get("text");
        if (text == null || !text.isTextual()) {
          throw new UserError("Prompts " + file + " line " + n + ": a JSON line needs a \"prompt\" or \"text\" string field.");
        }
        texts.add(text.asText());
      } else {
        texts.add(line);
      }
    }
    if (texts.isEmpty()) throw new UserError("Prompts file " + file + " holds no prompts (one per line, or JSONL).");
    return new Prompts(texts);
  }

  /** The prompt index for request {@code index}, drawn uniformly with {@code seed} (SplitMix64 of seed and index). */
  public int sample(long seed, long index) {
    if (texts.size() == 1) return 0;
    long z = seed * 0x9E3779B97F4A7C15L + index + 1;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (int) Math.floorMod(z, (long) texts.size());
  }

  public String get(int i) {
    return texts.get(i);
  }

  public int size() {
    return texts.size();
  }
}
