package io.genbench.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One {@code POST /v1/completions} or {@code /v1/chat/completions} body, checked. Completions: {@code prompt} (a string,
 * token ids, or a list holding one of either); chat: {@code messages} ({@code role} and {@code content}, a string or
 * text parts), rendered as one {@code role: content} line each and a closing {@code assistant:}. Both: {@code model},
 * {@code max_tokens} (chat also {@code max_completion_tokens}; default 16 for completions, 256 for chat), {@code n}
 * (1 only), {@code stream}, {@code stream_options.include_usage}, and vLLM's {@code ignore_eos}. Decoding is greedy:
 * sampling fields ({@code temperature}, {@code top_p}, {@code seed}, ...) are accepted and ignored; {@code stop} and
 * {@code logprobs} are refused rather than ignored, as they would change the answer.
 *
 * @param text the prompt as text, or null when {@code ids} holds it
 * @param ids the prompt as token ids, or null
 */
public record CompletionRequest(boolean chat, String text, List<Integer> ids, int maxTokens, boolean stream, boolean includeUsage,
    boolean ignoreEos) {
  static final int MAX_TOKENS = 4096;
  static final int DEFAULT_COMPLETION_TOKENS = 16;
  static final int DEFAULT_CHAT_TOKENS = 256;

  /** The request for a {@link TextBackend}. */
  public TextBackend.Request backendRequest() {
    return new TextBackend.Request(text, ids, maxTokens, ignoreEos);
  }

  /**
   * Parses and checks a body.
   *
   * @param chat {@code /v1/chat/completions} (else {@code /v1/completions})
   * @param models the names {@code model} may take (absent: the served model)
   * @throws ApiError 400 naming the field at fault
   */
  public static CompletionRequest parse(String body, boolean chat, RequestLimits limits, Set<String> models) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiError.field(null, "invalid_json", "The body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) throw ApiError.field(null, "invalid_json", "The body must be a JSON object.");

    JsonNode m = root.get("model");
    if (m != null && !m.isNull() && (!m.isTextual() || !models.contains(m.asText()))) {
      throw ApiError.field("model", "model_not_found", "The model '" + m.asText() + "' is not served here. Served: "
          + String.join(", ", models.stream().sorted().toList()) + " (GET /v1/models).");
    }

    String text = null;
    List<Integer> ids = null;
    if (chat) {
      text = messages(root.get("messages"));
    } else {
      JsonNode p = root.get("prompt");
      if (p != null && p.isArray() && p.size() == 1 && (p.get(0).isTextual() || p.get(0).isArray())) p = p.get(0);
      if (p == null || p.isNull()) throw ApiError.field("prompt", "missing_required_parameter", "'prompt' is required.");
      if (p.isTextual()) {
        text = p.asText();
        if (text.isEmpty()) throw ApiError.field("prompt", "invalid_value", "'prompt' must not be empty.");
      } else if (p.isArray() && !p.isEmpty() && allIntegers(p)) {
        ids = new ArrayList<>();
        for (JsonNode id : p) ids.add(id.asInt());
      } else {
        throw ApiError.field("prompt", "invalid_type", "'prompt' must be a string, or token ids (non-negative integers);"
            + " one prompt per request (a list of several is not supported).");
      }
    }
    if (text != null && text.length() > limits.maxPromptChars()) {
      throw ApiError.field(chat ? "messages" : "prompt", "string_above_max_length", "The prompt is " + text.length()
          + " characters; at most " + limits.maxPromptChars() + " are accepted.");
    }
    if (ids != null && ids.size() > MAX_TOKENS) {
      throw ApiError.field("prompt", "invalid_value", "'prompt' has " + ids.size() + " token ids; at most " + MAX_TOKENS + ".");
    }

    String tokensField = chat && root.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    int maxTokens = integer(root, tokensField, chat ? DEFAULT_CHAT_TOKENS : DEFAULT_COMPLETION_TOKENS, 1, MAX_TOKENS);
    integer(root, "n", 1, 1, 1);
    boolean stream = bool(root, "stream");
    boolean ignoreEos = bool(root, "ignore_eos");
    boolean includeUsage = false;
    JsonNode options = root.get("stream_options");
    if (options != null && !options.isNull()) {
      if (!options.isObject()) throw ApiError.field("stream_options", "invalid_type", "'stream_options' must be an object.");
      if (!stream) throw ApiError.field("stream_options", "invalid_value", "'stream_options' is only allowed with 'stream': true.");
      includeUsage = bool(options, "include_usage");
    }
    for (String refused : List.of("stop", "logprobs", "top_logprobs", "echo", "suffix", "tools")) {
      JsonNode v = root.get(refused);
      if (v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean()) && !(v.isArray() && v.isEmpty())) {
        throw ApiError.field(refused, "unsupported_parameter", "'" + refused + "' is not supported by this server (greedy"
            + " decoding of the prompt only); leave it out.");
      }
    }
    return new CompletionRequest(chat, text, ids, maxTokens, stream, includeUsage, ignoreEos);
  }

  private static String messages(JsonNode messages) {
    if (messages == null || messages.isNull()) throw ApiError.field("messages", "missing_required_parameter", "'messages' is required.");
    if (!messages.isArray() || messages.isEmpty()) throw ApiError.field("messages", "invalid_value", "'messages' must be a non-empty array.");
    var prompt = new StringBuilder();
    int i = 0;
    for (JsonNode message : messages) {
      String where = "messages[" + i++ + "]";
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual() || role.asText().isBlank()) {
        throw ApiError.field(where + ".role", "invalid_value", "'" + where + ".role' must be a string (system, user, assistant, ...).");
      }
      prompt.append(role.asText()).append(": ").append(content(message.get("content"), where)).append('\n');
    }
    return prompt.append("assistant:").toString();
  }

  private static String content(JsonNode content, String where) {
    if (content == null || content.isNull()) return "";
    if (content.isTextual()) return content.asText();
    if (content.isArray()) {
      var text = new StringBuilder();
      for (JsonNode part : content) {
        if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
          throw ApiError.field(where + ".content", "invalid_value", "'" + where + ".content' parts must be {\"type\": \"text\","
              + " \"text\": ...}; this server takes text only.");
        }
        text.append(part.path("text").asText());
      }
      return text.toString();
    }
    throw ApiError.field(where + ".content", "invalid_type", "'" + where + ".content' must be a string or a list of text parts.");
  }

  private static boolean allIntegers(JsonNode array) {
    for (JsonNode v : array) if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) return false;
    return true;
  }

  private static int integer(JsonNode root, String field, int fallback, int min, int max) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) return fallback;
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw ApiError.field(field, v.isIntegralNumber() ? "invalid_value" : "invalid_type", "'" + field + "' must be an integer from "
          + min + " to " + max + ", was " + v + ".");
    }
    return v.asInt();
  }

  private static boolean bool(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) return false;
    if (!v.isBoolean()) throw ApiError.field(field, "invalid_type", "'" + field + "' must be true or false, was " + v + ".");
    return v.asBoolean();
  }
}
