package io.genbench.load;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
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
        java.util.function.BiFunction<JsonNode, ResponseReader, String> check = pointerCheck(at);
        yield () -> new Whole(check);
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

  /** The check of a whole completion or chat answer. */
  static java.util.function.BiFunction<JsonNode, ResponseReader, String> completionCheck() {
    return ResponseReader::completion;
  }

  /** The check of a whole generic answer whose result is at {@code at}. */
  static java.util.function.BiFunction<JsonNode, ResponseReader, String> pointerCheck(JsonPointer at) {
    return (body, into) -> pointer(body, into, at);
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

  /**
   * A JSON body read whole, then checked. A large body (from {@link #LEAN_FROM} bytes: image answers with
   * {@code b64_json}) is read into a lean tree ({@link #leanTree}) that leaves long strings undecoded; the checks only
   * ask whether a value is there, null, an array (and its size), an object or an int, never a string's content, so
   * their verdicts are the same as on the full tree. A small body is read by {@code readTree} as before. Not final so
   * that tests can see what an engine announces to it.
   */
  static class Whole extends ResponseReader {
    /** The body length from which the lean tree is read. */
    static final int LEAN_FROM = 64 * 1024;
    /** The largest announced length the buffer is sized to at once; a larger body grows to it by doubling. */
    static final int PRESIZE_MAX = 128 << 20;

    private final java.util.function.BiFunction<JsonNode, ResponseReader, String> check;
    private final int leanFrom;
    private byte[] body = new byte[1024];
    private int length;

    Whole(java.util.function.BiFunction<JsonNode, ResponseReader, String> check) {
      this(check, LEAN_FROM);
    }

    /** With the lean tree from {@code leanFrom} bytes (tests compare 0 with {@code Integer.MAX_VALUE}). */
    Whole(java.util.function.BiFunction<JsonNode, ResponseReader, String> check, int leanFrom) {
      this.check = check;
      this.leanFrom = leanFrom;
    }

    @Override
    void expect(long announced) {
      if (length == 0 && announced > body.length && announced <= PRESIZE_MAX) body = new byte[(int) announced];
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
        node = length >= leanFrom ? leanTree(body, length) : null;
        if (node == null) node = Json.MAPPER.readTree(body, 0, length);
      } catch (IOException e) {
        malformed = "body is not JSON";
        return;
      } finally {
        body = null; // read once: the bytes need not outlive the answer
      }
      if (node == null || !node.isObject() && !node.isArray()) {
        malformed = "body is not a JSON object";
        return;
      }
      malformed = check.apply(node, this);
    }
  }

  /** A string's raw length from which {@link #leanTree} leaves it undecoded. */
  static final int SHORT_STRING = 256;

  /** What a string of {@link #SHORT_STRING} bytes or more reads as in a lean tree: not empty, like every such string. */
  static final TextNode LONG_STRING = TextNode.valueOf("(a long string, not decoded)");

  /**
   * The JSON object or array that {@code body} starts with, as {@code readTree} would build it (same parser, same
   * errors, anything after it ignored), except that a string of {@link #SHORT_STRING} raw bytes or more is
   * {@link #LONG_STRING}: Jackson's UTF-8 parser skips a string it was not asked for (checking it as it goes) without
   * building it, so a multi-megabyte {@code b64_json} costs a scan, not a decode and a copy. One difference, on purpose:
   * a string over Jackson's 20,000,000-character limit (a 4096² PNG as base64) is fine here, where {@code readTree}
   * called the whole answer malformed. Null when the body does
   * not start with an object or array ({@code readTree} then says what it is).
   */
  static JsonNode leanTree(byte[] body, int length) throws IOException {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body, 0, length)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) return null;
      return value(p, t, body, length);
    }
  }

  private static JsonNode value(JsonParser p, JsonToken t, byte[] body, int length) throws IOException {
    JsonNodeFactory f = Json.MAPPER.getNodeFactory();
    if (t == null) throw new IOException("the body ended inside a value");
    switch (t) {
      case START_OBJECT -> {
        ObjectNode o = f.objectNode();
        String name;
        while ((name = p.nextFieldName()) != null) o.set(name, value(p, p.nextToken(), body, length));
        if (!p.hasToken(JsonToken.END_OBJECT)) throw new IOException("the body ended inside an object");
        return o;
      }
      case START_ARRAY -> {
        ArrayNode a = f.arrayNode();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) a.add(value(p, next, body, length));
        return a;
      }
      case VALUE_STRING -> {
        return shortString(p, body, length) ? f.textNode(p.getText()) : LONG_STRING;
      }
      case VALUE_NUMBER_INT -> {
        return switch (p.getNumberType()) {
          case INT -> f.numberNode(p.getIntValue());
          case LONG -> f.numberNode(p.getLongValue());
          default -> f.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return f.numberNode(p.getDoubleValue());
      }
      case VALUE_TRUE -> {
        return f.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return f.booleanNode(false);
      }
      case VALUE_NULL -> {
        return f.nullNode();
      }
      case VALUE_EMBEDDED_OBJECT -> {
        return f.pojoNode(p.getEmbeddedObject());
      }
      default -> throw new IOException("unexpected " + t);
    }
  }

  /** Whether the string token now current ends within {@link #SHORT_STRING} raw bytes (or its bytes can't be seen). */
  private static boolean shortString(JsonParser p, byte[] body, int length) {
    long at = p.currentTokenLocation().getByteOffset();
    if (at < 0 || at >= length || body[(int) at] != '"') return true; // not UTF-8 bytes we can see: decode it
    int end = (int) Math.min(length, at + 1 + SHORT_STRING);
    for (int i = (int) at + 1; i < end; i++) {
      if (body[i] == '"') return true;
      if (body[i] == '\\') i++;
    }
    return end == length; // the body ends first: decoding it reports the error readTree would
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
