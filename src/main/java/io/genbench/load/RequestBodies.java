package io.genbench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.nio.charset.StandardCharsets;

/** The JSON body of request {@code index} with prompt {@code prompt}: built as an object, or from the generic template. */
final class RequestBodies {
  private final LoadPlan plan;
  private final Api api;

  RequestBodies(LoadPlan plan) {
    this.plan = plan;
    this.api = plan.parsedApi();
    if (api == Api.GENERIC) check();
  }

  byte[] body(String prompt, long index) {
    long seed = plan.seed() + index;
    if (api == Api.GENERIC) return template(prompt, seed, index).getBytes(StandardCharsets.UTF_8);
    ObjectNode b = Json.MAPPER.createObjectNode();
    if (plan.model() != null) b.put("model", plan.model());
    switch (api) {
      case OPENAI_IMAGES -> {
        b.put("prompt", prompt);
        b.put("n", plan.n());
        b.put("size", plan.size());
        b.put("response_format", plan.responseFormat());
        if (plan.partialImages() != null) {
          b.put("stream", true);
          b.put("partial_images", plan.partialImages());
        }
      }
      case OPENAI_COMPLETIONS -> {
        b.put("prompt", prompt);
        llm(b);
      }
      case OPENAI_CHAT -> {
        b.putArray("messages").addObject().put("role", "user").put("content", prompt);
        llm(b);
      }
      case GENERIC -> throw new IllegalStateException();
    }
    try {
      return Json.MAPPER.writeValueAsBytes(b);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void llm(ObjectNode b) {
    b.put("max_tokens", plan.maxTokens());
    b.put("stream", plan.stream());
    if (plan.stream()) b.putObject("stream_options").put("include_usage", true);
  }

  /** Substitutes placeholders; {{prompt}} and {{model}} are JSON-escaped, so they belong inside quotes. */
  private String template(String prompt, long seed, long index) {
    String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(prompt));
    String model = plan.model() == null ? "" : new String(JsonStringEncoder.getInstance().quoteAsString(plan.model()));
    return plan.bodyTemplate().replace("{{prompt}}", escaped).replace("{{seed}}", Long.toString(seed))
        .replace("{{index}}", Long.toString(index)).replace("{{model}}", model);
  }

  private void check() {
    String sample = template("a \"quoted\" prompt", 1, 0);
    try {
      Json.MAPPER.readTree(sample);
    } catch (JsonProcessingException e) {
      throw new UserError("The body template is not JSON once filled in (" + e.getOriginalMessage() + "): " + plan.bodyTemplate()
          + ". Placeholders: {{prompt}} and {{model}} (inside quotes), {{seed}} and {{index}} (numbers).");
    }
  }
}
