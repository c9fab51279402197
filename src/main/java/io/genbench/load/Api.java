package io.genbench.load;

import io.genbench.Labeled;

/** The request kinds {@code genbench load} speaks; each knows its default path and how to read its response. */
public enum Api implements Labeled {
  /** OpenAI {@code POST /v1/images/generations}: prompt, size, n, response_format; images counted from {@code data}. */
  OPENAI_IMAGES("openai-images", "/v1/images/generations"),
  /** OpenAI {@code POST /v1/completions}, streamed as SSE: TTFT, TPOT, ITL, output tokens. */
  OPENAI_COMPLETIONS("openai-completions", "/v1/completions"),
  /** OpenAI {@code POST /v1/chat/completions}, streamed as SSE. */
  OPENAI_CHAT("openai-chat", "/v1/chat/completions"),
  /** A JSON body template ({{prompt}}, {{seed}}, {{index}}, {{model}}) and a JSON pointer to the result. */
  GENERIC("generic", "");

  private final String label;
  private final String path;

  Api(String label, String path) {
    this.label = label;
    this.path = path;
  }

  @Override
  public String label() {
    return label;
  }

  /** The path appended to a URL that names only a host ({@code http://h:8000} or {@code http://h:8000/}). */
  public String defaultPath() {
    return path;
  }

  /** True for the LLM APIs, whose figures are tokens. */
  public boolean tokens() {
    return this == OPENAI_COMPLETIONS || this == OPENAI_CHAT;
  }

  /** The API labelled {@code s} (any case), or a UserError naming it, {@code where} it came from and the valid labels. */
  public static Api parse(String s, String where) {
    return Labeled.parseIgnoringCase(Api.class, s, "API", where);
  }
}
