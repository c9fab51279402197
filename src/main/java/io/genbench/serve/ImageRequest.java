package io.genbench.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.plan.Resolution;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code POST /v1/images/generations} body, checked. OpenAI's fields {@code prompt}, {@code model}, {@code n},
 * {@code size} ({@code "WxH"}) and {@code response_format} ({@code b64_json}, the default, or {@code url}: URLs
 * this server serves, {@link ImageStore}), and genbench's extensions
 * {@code steps} (default 20), {@code guidance} (default 7.5) and {@code seed} (default random; image i gets seed + i).
 * Other OpenAI fields ({@code quality}, {@code style}, {@code user}) are accepted and ignored.
 *
 * @param seed the first image's seed
 * @param url whether the images are answered as URLs ({@code response_format: "url"}) rather than base64 in the body
 */
public record ImageRequest(String prompt, int n, ImageBatch.Shape shape, long seed, boolean url) {
  static final int DEFAULT_STEPS = 20;
  static final double DEFAULT_GUIDANCE = 7.5;
  static final double MAX_GUIDANCE = 30;
  private static final Pattern SIZE = Pattern.compile("(\\d{1,6})x(\\d{1,6})");

  /** The prompts of its images: the one prompt, n times. */
  public List<String> prompts() {
    return java.util.Collections.nCopies(n, prompt);
  }

  /** One seed per image: seed, seed + 1, … */
  public long[] seeds() {
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) seeds[i] = seed + i;
    return seeds;
  }

  /**
   * Parses and checks a body.
   *
   * @param models the names {@code model} may take (absent: the served model)
   * @param sizeMultiple width and height must be multiples of it
   * @param randomSeed the seed when the request gives none
   * @throws ApiError 400 naming the field at fault
   */
  public static ImageRequest parse(String body, RequestLimits limits, Set<String> models, int sizeMultiple, long randomSeed) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiError.field(null, "invalid_json", "The body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) throw ApiError.field(null, "invalid_json", "The body must be a JSON object.");

    JsonNode p = root.get("prompt");
    if (p == null || p.isNull()) throw ApiError.field("prompt", "missing_required_parameter", "'prompt' is required.");
    if (!p.isTextual()) throw ApiError.field("prompt", "invalid_type", "'prompt' must be a string.");
    String prompt = p.asText();
    if (prompt.isBlank()) throw ApiError.field("prompt", "invalid_value", "'prompt' must not be empty.");
    if (prompt.length() > limits.maxPromptChars()) {
      throw ApiError.field("prompt", "string_above_max_length", "'prompt' is " + prompt.length()
          + " characters; at most " + limits.maxPromptChars() + " are accepted.");
    }

    JsonNode m = root.get("model");
    if (m != null && !m.isNull()) {
      if (!m.isTextual() || !models.contains(m.asText())) {
        throw ApiError.field("model", "model_not_found", "The model '" + m.asText() + "' is not served here. Served: "
            + String.join(", ", models.stream().sorted().toList()) + " (GET /v1/models).");
      }
    }

    int n = integer(root, "n", 1, 1, limits.maxN(), "");

    JsonNode f = root.get("response_format");
    boolean url = false;
    if (f != null && !f.isNull()) {
      if (!f.isTextual() || !(f.asText().equals("b64_json") || f.asText().equals("url"))) {
        throw ApiError.field("response_format", "invalid_value", "'response_format' must be 'b64_json' (PNGs in the"
            + " response) or 'url' (PNGs served by this server for a while), was " + f + ".");
      }
      url = f.asText().equals("url");
    }

    Resolution size = size(root.get("size"), limits, sizeMultiple);
    int steps = integer(root, "steps", DEFAULT_STEPS, 1, limits.maxSteps(), " (a genbench extension: denoising steps)");

    double guidance = DEFAULT_GUIDANCE;
    JsonNode g = root.get("guidance");
    if (g != null && !g.isNull()) {
      if (!g.isNumber() || !Double.isFinite(g.asDouble()) || g.asDouble() < 0 || g.asDouble() > MAX_GUIDANCE) {
        throw ApiError.field("guidance", "invalid_value", "'guidance' must be a number from 0 to " + (int) MAX_GUIDANCE
            + " (a genbench extension: the classifier-free guidance scale), was " + g + ".");
      }
      guidance = g.asDouble();
    }

    long seed = randomSeed;
    JsonNode s = root.get("seed");
    if (s != null && !s.isNull()) {
      if (!s.isIntegralNumber() || !s.canConvertToLong()) {
        throw ApiError.field("seed", "invalid_type", "'seed' must be an integer (a genbench extension: image i gets"
            + " seed + i), was " + s + ".");
      }
      seed = s.asLong();
    }
    return new ImageRequest(prompt, n, new ImageBatch.Shape(size, steps, guidance), seed, url);
  }

  private static int integer(JsonNode root, String field, int fallback, int min, int max, String what) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) return fallback;
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw ApiError.field(field, v.isIntegralNumber() ? "invalid_value" : "invalid_type", "'" + field
          + "' must be an integer from " + min + " to " + max + what + ", was " + v + ".");
    }
    return v.asInt();
  }

  private static Resolution size(JsonNode v, RequestLimits limits, int multiple) {
    int fallback = Math.min(512, limits.maxSide()) / multiple * multiple;
    if (v == null || v.isNull()) return new Resolution(fallback, fallback);
    Matcher m = v.isTextual() ? SIZE.matcher(v.asText()) : null;
    String rule = "'size' must be \"WIDTHxHEIGHT\", each a multiple of " + multiple + " from " + multiple + " to "
        + limits.maxSide() + " (e.g. \"" + fallback + "x" + fallback + "\")";
    if (m == null || !m.matches()) throw ApiError.field("size", "invalid_value", rule + ", was " + v + ".");
    int w = Integer.parseInt(m.group(1));
    int h = Integer.parseInt(m.group(2));
    if (w < multiple || h < multiple || w > limits.maxSide() || h > limits.maxSide() || w % multiple != 0 || h % multiple != 0) {
      throw ApiError.field("size", "invalid_value", rule + ", was " + v + ".");
    }
    return new Resolution(w, h);
  }
}
