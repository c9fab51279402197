package io.genbench.load;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads one 2xx response body as it arrives and says what it held: images, output tokens, the time of each token
 * chunk, or why it is malformed. One instance per request; called on one event-loop thread.
 */
abstract class ResponseReader {
  int images;
  int outputTokens;
  boolean tokensCounted;
  long firstTokenNs;
  long[] chunkNs = new long[0];
  int chunks;
  String malformed;

  /** A piece of the body that arrived at {@code nowNs}. */
  abstract void feed(byte[] bytes, int offset, int length, long nowNs);

  /** The body ended. */
  abstract void end(long nowNs);

  /** The answer announced its body's length (a {@code content-length} header), before the first {@link #feed}. */
  void expect(long length) {}

  long[] chunkTimes() {
    return chunks == chunkNs.length ? chunkNs : Arrays.copyOf(chunkNs, chunks);
  }

  void chunk(long nowNs) {
    if (firstTokenNs == 0) firstTokenNs = nowNs;
    if (chunks == chunkNs.length) chunkNs = Arrays.copyOf(chunkNs, Math.max(16, chunks * 2));
    chunkNs[chunks++] = nowNs;
  }

  static ResponseReader of(LoadPlan plan) {
    return factory(plan).get();
  }

  /** Makes a fresh reader per request for {@code plan}; what every reader shares (the result pointer) is made once. */
  static java.util.function.Supplier<ResponseReader> factory(LoadPlan plan) {
    Api api = plan.parsedApi();
    return switch (api) {
      case OPENAI_IMAGES -> {
        String format = plan.responseFormat();
        if (plan.partialImages() != null) yield () -> new Sse(Sse.Kind.IMAGES);
        java.util.function.BiFunction<JsonNode, ResponseReader, String> check = imagesCheck(format);
        yield () -> new Whole(check);
      }
      case OPENAI_COMPLETIONS, OPENAI_CHAT -> {
        Sse.Kind kind = api == Api.OPENAI_CHAT ? Sse.Kind.CHAT : Sse.Kind.COMPLETIONS;
        yield plan.stream() ? () -> new Sse(kind) : () -> new Whole(ResponseReader::completion);
      }
      case GENERIC -> {
        JsonPointer at = JsonPointer.compile(plan.resultPointer());
        yield () -> new Whole((body, into) -> pointer(body, into, at));
      }
    };
  }

  /** The check of a whole OpenAI images answer whose images come as {@code format} ({@code b64_json} or {@code url}). */
  static java.util.function.BiFunction<JsonNode, ResponseReader, String> imagesCheck(String format) {
    return (body, into) -> images(body, into, format);
  }

  private static String images(JsonNode body, ResponseReader into, String format) {
    JsonNode data = body.get("data");
    if (data == null || !data.isArray()) return "no \"data\" array";
    int n = 0;
    for (JsonNode d : data) if (d.hasNonNull(format)) n++;
    if (n == 0) return "\"data\" holds no image as " + format;
    into.images = n;
    return null;
  }

  private static String completion(JsonNode body, ResponseReader into) {
    JsonNode choices = body.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) return "no \"choices\"";
    JsonNode tokens = body.path("usage").path("completion_tokens");
    if (tokens.isInt()) {
      into.outputTokens = tokens.intValue();
    } else {
      into.tokensCounted = true; // a whole answer without usage has no chunks to count: 0 tokens, flagged
    }
    return null;
  }

  private static String pointer(JsonNode body, ResponseReader into, JsonPointer at) {
    JsonNode result = body.at(at);
    if (result.isMissingNode() || result.isNull()) return "nothing at the result pointer " + at;
    if (result.isArray()) {
      if (result.isEmpty()) return "an empty array at the result pointer " + at;
      into.images = result.size();
    } else {
      into.images = 1;
    }
    return null;
  }

  /** A JSON body read whole, then checked. */
  static final class Whole extends ResponseReader {
    private final java.util.function.BiFunction<JsonNode, ResponseReader, String> check;
    private byte[] body = new byte[1024];
    private int length;

    Whole(java.util.function.BiFunction<JsonNode, ResponseReader, String> check) {
      this.check = check;
    }

    @Override
    void feed(byte[] bytes, int offset, int n, long nowNs) {
      if (firstTokenNs == 0) firstTokenNs = nowNs;
      if (length + n > body.length) body = Arrays.copyOf(body, Math.max(body.length * 2, length + n));
      System.arraycopy(bytes, offset, body, length, n);
      length += n;
    }

    @Override
    void end(long nowNs) {
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(body, 0, length);
      } catch (IOException e) {
        malformed = "body is not JSON";
        return;
      }
      if (node == null || !node.isObject() && !node.isArray()) {
        malformed = "body is not a JSON object";
        return;
      }
      malformed = check.apply(node, this);
    }
  }

  /**
   * An OpenAI SSE stream. Completions and chat: each event with text one chunk; tokens from usage when the server sends
   * it, else counted. Images (OpenAI's image streaming): each {@code image_generation.partial_image} event one chunk
   * (the first is the request's first partial image), each {@code image_generation.completed} event with an image one
   * image.
   */
  static final class Sse extends ResponseReader {
    /** What the stream carries. */
    enum Kind { COMPLETIONS, CHAT, IMAGES }

    private final Kind kind;
    private final SseParser parser;
    private long now;
    private int usageTokens = -1;

    Sse(Kind kind) {
      this.kind = kind;
      this.parser = new SseParser(this::event);
    }

    @Override
    void feed(byte[] bytes, int offset, int length, long nowNs) {
      now = nowNs;
      parser.feed(bytes, offset, length);
    }

    private void event(byte[] b, int off, int len) {
      if (len == 6 && b[off] == '[' && b[off + 1] == 'D') return; // [DONE]; a stream without it is accepted too
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(b, off, len);
      } catch (IOException e) {
        if (malformed == null) malformed = "an event is not JSON";
        return;
      }
      if (node.has("error")) {
        if (malformed == null) malformed = "error event: " + node.get("error").toString();
        return;
      }
      if (kind == Kind.IMAGES) {
        image(node);
        return;
      }
      JsonNode choice = node.path("choices").path(0);
      JsonNode text = kind == Kind.CHAT ? choice.path("delta").path("content") : choice.path("text");
      if (text.isTextual() && !text.asText().isEmpty()) chunk(now);
      JsonNode usage = node.path("usage").path("completion_tokens");
      if (usage.isInt()) usageTokens = usage.intValue();
    }

    private void image(JsonNode node) {
      String type = node.path("type").asText("");
      boolean hasImage = node.hasNonNull("b64_json");
      if (type.equals("image_generation.partial_image")) {
        chunk(now);
      } else if (type.equals("image_generation.completed") && hasImage) {
        if (firstTokenNs == 0) firstTokenNs = now; // no partial image came first: the final one is the first
        images++;
      }
    }

    @Override
    void end(long nowNs) {
      if (parser.events() == 0) {
        malformed = "no server-sent events";
        return;
      }
      if (kind == Kind.IMAGES) {
        if (malformed == null && images == 0) malformed = "no image_generation.completed event with an image";
        return;
      }
      if (usageTokens >= 0) {
        outputTokens = usageTokens;
      } else {
        outputTokens = chunks;
        tokensCounted = true;
      }
      if (malformed == null && chunks == 0 && outputTokens == 0) malformed = "no tokens";
    }

    long events() {
      return parser.events();
    }
  }
}
