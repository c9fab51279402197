package io.genbench.serve;

import java.util.List;
import java.util.function.Consumer;

/**
 * What generates text for {@code /v1/completions} and {@code /v1/chat/completions}: greedy decoding of one request at a
 * time on each of its workers. {@link #generate} may be called from several threads at once, at most
 * {@link #concurrency()} of them.
 */
public interface TextBackend {

  /** Requests it runs at once (one per worker process). */
  int concurrency();

  /**
   * Generates for one request, calling {@code onToken} for each token as it is produced (on a thread of the backend's),
   * and returns when the last one is.
   *
   * @throws ImageBackend.Unavailable when the worker crashed or is restarting (503)
   * @throws ApiError 400 for a request the model cannot take (a prompt longer than its context)
   */
  Completion generate(Request request, Consumer<Token> onToken);

  /**
   * One request.
   *
   * @param text the prompt as text, or null when {@code ids} is given
   * @param ids the prompt as token ids, or null when {@code text} is given
   * @param maxTokens tokens to generate at most, ≥ 1
   * @param ignoreEos generate {@code maxTokens} tokens even past the end-of-sequence token (vLLM's extension)
   */
  record Request(String text, List<Integer> ids, int maxTokens, boolean ignoreEos) {
    public Request {
      if ((text == null) == (ids == null)) throw new IllegalArgumentException("one of text and ids");
      if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
      ids = ids == null ? null : List.copyOf(ids);
    }
  }

  /** One generated token: its place, id and text. */
  record Token(int index, int id, String text) {}

  /**
   * A finished generation.
   *
   * @param finishReason {@code length} (max tokens reached) or {@code stop} (end of sequence)
   * @param ttftNs prefill and first token, measured in the worker
   * @param computeNs the whole generation, measured in the worker (device synchronized)
   */
  record Completion(List<Integer> ids, String text, int promptTokens, int completionTokens, String finishReason, long ttftNs,
      long computeNs) {}
}
