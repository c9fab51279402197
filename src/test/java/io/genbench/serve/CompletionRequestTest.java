package io.genbench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class CompletionRequestTest {
  private static final Set<String> MODELS = Set.of("facebook/opt-125m");

  private static CompletionRequest completion(String body) {
    return CompletionRequest.parse(body, false, RequestLimits.DEFAULT, MODELS);
  }

  private static CompletionRequest chat(String body) {
    return CompletionRequest.parse(body, true, RequestLimits.DEFAULT, MODELS);
  }

  @Test
  void aPromptMayBeTextTokenIdsOrAListHoldingOneOfThem() {
    assertThat(completion("{\"prompt\":\"hi\"}").text()).isEqualTo("hi");
    assertThat(completion("{\"prompt\":[\"hi\"]}").text()).isEqualTo("hi");
    assertThat(completion("{\"prompt\":[1,2,3]}").ids()).containsExactly(1, 2, 3);
    assertThat(completion("{\"prompt\":[[4,5]]}").ids()).containsExactly(4, 5);
  }

  @Test
  void defaultsAreOpenAisSixteenTokensForCompletionsAndNoStream() {
    var r = completion("{\"prompt\":\"hi\"}");

    assertThat(r.maxTokens()).isEqualTo(16);
    assertThat(r.stream()).isFalse();
    assertThat(r.includeUsage()).isFalse();
    assertThat(r.ignoreEos()).isFalse();
  }

  @Test
  void chatMessagesBecomeOneRoleLineEachAndAnAssistantTurn() {
    var r = chat("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"Hi\"}]}],\"max_completion_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

    assertThat(r.text()).isEqualTo("system: Be brief.\nuser: Hi\nassistant:");
    assertThat(r.maxTokens()).isEqualTo(5);
    assertThat(r.includeUsage()).isTrue();
  }

  @Test
  void refusalsNameTheField() {
    record Case(String body, boolean chat, String param) {}
    for (var c : List.of(new Case("{}", false, "prompt"), new Case("{\"prompt\":[\"a\",\"b\"]}", false, "prompt"),
        new Case("{\"prompt\":\"a\",\"n\":2}", false, "n"), new Case("{\"prompt\":\"a\",\"max_tokens\":100000}", false, "max_tokens"),
        new Case("{\"prompt\":\"a\",\"model\":\"gpt-4\"}", false, "model"),
        new Case("{\"prompt\":\"a\",\"stream_options\":{\"include_usage\":true}}", false, "stream_options"),
        new Case("{\"prompt\":\"a\",\"logprobs\":2}", false, "logprobs"),
        new Case("{\"messages\":[{\"content\":\"x\"}]}", true, "messages[0].role"),
        new Case("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", true, "messages[0].content"))) {
      assertThatThrownBy(() -> CompletionRequest.parse(c.body(), c.chat(), RequestLimits.DEFAULT, MODELS)).as(c.body())
          .isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo(c.param());
          });
    }
  }
}
