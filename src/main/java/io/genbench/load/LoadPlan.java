package io.genbench.load;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A load test: the CLI's options and a YAML load plan have these fields (snake_case in YAML), and the run directory
 * stores the plan with every default filled in ({@code load.yaml}). Unknown keys are errors naming the valid ones.
 *
 * @param targets endpoint URLs; a URL without a path gets the API's default path; several are loaded one after
 *     the other with the same plan and compared per level
 * @param api openai-images | openai-completions | openai-chat | generic
 * @param profile see {@link Profile#GRAMMAR}
 * @param durationS measured seconds per level (after warm-up); the level ends at whichever of duration or requests
 *     comes first
 * @param requests measured requests per level, null for no count limit
 * @param warmupS seconds of warm-up at the start of each level, excluded from every figure
 * @param warmupRequests requests of warm-up at the start of each level
 * @param perPrompt {@code W+M}: every prompt in file order gets W warm-up then M measured requests (seed 003's
 *     plan is {@code 5+20} with {@code concurrency 1}); replaces sampling, duration and request limits
 * @param prompt the one prompt when there is no prompts file
 * @param promptsFile prompts, one per line or JSONL, sampled with the seed
 * @param seed seeds prompt sampling, Poisson arrivals and {{seed}}
 * @param connections the most connections per target (requests beyond them wait, and the wait counts)
 * @param http2 HTTP/2 (prior knowledge on http://, ALPN on https://) instead of HTTP/1.1 keep-alive
 * @param timeoutS a request that has no complete response this many seconds after its send is a timeout
 * @param model the {@code model} field of OpenAI bodies, omitted when null
 * @param size images: {@code WxH}
 * @param n images per request
 * @param responseFormat images: b64_json | url
 * @param maxTokens LLM: max_tokens
 * @param stream LLM: SSE streaming (TTFT, TPOT and ITL need it)
 * @param bodyTemplate generic: the JSON body with {{prompt}}, {{seed}}, {{index}}, {{model}}
 * @param resultPointer generic: a JSON pointer to the result; an array there counts as that many images
 * @param headers extra request headers
 * @param slo service-level objectives, e.g. {@code p95<=2s} (judged per level)
 * @param minDurationS a level measured for less is INVALID (default 10); a capacity search measures each level at
 *     least this long
 * @param minRequests a level with fewer measured requests is INVALID (default 50); a capacity search measures each level
 *     long enough for them
 * @param maxLevels the most levels a capacity search runs per target (default 40)
 * @param partialImages images: stream the answer as server-sent events with this many partial images before the final
 *     one ({@code stream: true, partial_images: N}, OpenAI's image streaming); the first event's arrival is the
 *     request's first byte; null: no streaming
 */
@JsonPropertyOrder(alphabetic = false)
public record LoadPlan(List<String> targets, String api, String profile, Double durationS, Integer requests, Double warmupS,
    Integer warmupRequests, String perPrompt, String prompt, String promptsFile, Long seed, Integer connections,
    Boolean http2, Double timeoutS, String model, String size, Integer n, String responseFormat, Integer maxTokens,
    Boolean stream, String bodyTemplate, String resultPointer, Map<String, String> headers, String slo, Double minDurationS,
    Integer minRequests, Integer maxLevels, Integer partialImages) {

  public static final String DEFAULT_PROMPT = "a photo of an astronaut riding a horse on mars";

  private static final ObjectMapper STRICT = Json.YAML.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** Every default filled in and every field checked; {@code where} names the source in errors. */
  public LoadPlan resolved(String where) {
    if (targets == null || targets.isEmpty()) throw new UserError("No target URL (" + where + "): give at least one, e.g. http://127.0.0.1:8000.");
    Api a = Api.parse(api == null ? "" : api, where);
    List<String> urls = targets.stream().map(t -> url(t, a, where)).toList();
    String p = profile == null ? "concurrency 1" : profile;
    String rf = responseFormat == null ? "b64_json" : responseFormat;
    if (!rf.equals("b64_json") && !rf.equals("url")) throw new UserError("Unknown response_format \"" + rf + "\" (" + where + "). Valid: b64_json, url.");
    if (a == Api.GENERIC && (bodyTemplate == null || bodyTemplate.isBlank())) {
      throw new UserError("--api generic needs a body template (" + where + "): body_template / --body '{\"prompt\": \"{{prompt}}\"}'.");
    }
    if (size != null && !size.matches("\\d+x\\d+")) throw new UserError("Bad size \"" + size + "\" (" + where + "): WxH, e.g. 1024x1024.");
    if (perPrompt != null && !perPrompt.matches("\\d+\\+\\d+")) {
      throw new UserError("Bad per_prompt \"" + perPrompt + "\" (" + where + "): WARMUP+MEASURED, e.g. 5+20.");
    }
    if (partialImages != null && a != Api.OPENAI_IMAGES) {
      throw new UserError("partial_images / --partial-images (" + where + ") streams image answers: it needs --api openai-images, not "
          + a.label() + ".");
    }
    if (partialImages != null && (partialImages < 0 || partialImages > 100)) {
      throw new UserError("partial_images must be between 0 and 100 (" + where + "), was " + partialImages + ".");
    }
    if (partialImages != null && !rf.equals("b64_json")) {
      throw new UserError("partial_images (" + where + ") streams images as b64_json: response_format url cannot stream.");
    }
    LoadPlan r = new LoadPlan(urls, a.label(), p, positive(durationS, 10.0, "duration_s", where),
        requests == null ? null : atLeast(requests, 1, "requests", where), nonNegative(warmupS, 0.0, "warmup_s", where),
        atLeast(warmupRequests == null ? 0 : warmupRequests, 0, "warmup_requests", where), perPrompt,
        prompt == null ? DEFAULT_PROMPT : prompt, promptsFile, seed == null ? 1L : seed,
        atLeast(connections == null ? 64 : connections, 1, "connections", where), http2 != null && http2,
        positive(timeoutS, 60.0, "timeout_s", where), model, size == null ? "512x512" : size,
        atLeast(n == null ? 1 : n, 1, "n", where), rf, atLeast(maxTokens == null ? 128 : maxTokens, 1, "max_tokens", where),
        stream == null || stream, bodyTemplate, resultPointer == null ? "" : resultPointer,
        headers == null ? Map.of() : Map.copyOf(headers), slo, positive(minDurationS, 10.0, "min_duration_s", where),
        atLeast(minRequests == null ? 50 : minRequests, 1, "min_requests", where), atLeast(maxLevels == null ? 40 : maxLevels, 1,
        "max_levels", where), partialImages);
    Profile parsed = r.parsedProfile(where, Path.of("."));
    io.genbench.capacity.Slo parsedSlo = r.parsedSlo(where);
    if (parsed instanceof Profile.Search && parsedSlo.isEmpty()) {
      throw new UserError("Profile \"" + p + "\" (" + where + ") searches the maximum sustainable rate under an SLO: give --slo"
          + " (slo:), e.g. 'p95<=2s', or a list of rates, e.g. 'sweep 0.5,1,2'.");
    }
    new RequestBodies(r); // a generic template must be JSON once filled in
    return r;
  }

  @JsonIgnore
  public Api parsedApi() {
    return Api.parse(api, "load plan");
  }

  /** The profile; trace files resolve against {@code base}. */
  public Profile parsedProfile(String where, Path base) {
    return Profile.parse(profile, where, base);
  }

  /** The levels to run; trace files resolve against {@code base}. */
  public List<Level> levels(Path base) {
    return parsedProfile("load plan", base).levels(durationNs(), seed);
  }

  /** The SLO, {@code Slo.NONE} without one. */
  public io.genbench.capacity.Slo parsedSlo(String where) {
    return slo == null || slo.isBlank() ? io.genbench.capacity.Slo.NONE : io.genbench.capacity.Slo.parse(slo, "slo (" + where + ")");
  }

  /** The validity rules: LoadGen's defaults with this plan's minimum duration and request count. */
  public io.genbench.capacity.LevelValidity.Rules validityRules() {
    var d = io.genbench.capacity.LevelValidity.Rules.DEFAULT;
    return new io.genbench.capacity.LevelValidity.Rules(d.minAchievedFraction(), d.maxDispatchLagP99S(), d.maxGeneratorCpuFraction(),
        minDurationS, minRequests);
  }

  @JsonIgnore
  public long durationNs() {
    return Math.round(durationS * 1e9);
  }

  @JsonIgnore
  public long warmupNs() {
    return Math.round(warmupS * 1e9);
  }

  @JsonIgnore
  public long timeoutNs() {
    return Math.round(timeoutS * 1e9);
  }

  /** {W, M} of per_prompt, or null. */
  @JsonIgnore
  public int[] perPromptCounts() {
    if (perPrompt == null) return null;
    String[] p = perPrompt.split("\\+");
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  /** Reads a YAML load plan strictly. */
  public static LoadPlan read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UserError("Cannot read the load plan " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  static LoadPlan parse(String yaml, String where) {
    LoadPlan plan;
    try {
      plan = STRICT.readValue(yaml, LoadPlan.class);
    } catch (UnrecognizedPropertyException e) {
      Set<String> known = new TreeSet<>();
      e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      throw new UserError("Unknown key \"" + e.getPropertyName() + "\" in the load plan " + where + lineOf(yaml, e.getPropertyName())
          + ". Valid keys: " + String.join(", ", known) + ".");
    } catch (JsonProcessingException e) {
      throw new UserError("Bad load plan " + where + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
          + "): " + e.getOriginalMessage());
    }
    if (plan == null) throw new UserError("The load plan " + where + " is empty.");
    return plan.resolved(where);
  }

  /** " (line N)" of the first line that sets {@code key}; Jackson's location is past a record's last key. */
  private static String lineOf(String yaml, String key) {
    String[] lines = yaml.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().startsWith(key + ":") || lines[i].strip().startsWith("\"" + key + "\"")) return " (line " + (i + 1) + ")";
    }
    return "";
  }

  /** The plan as stored in the run directory. */
  public String yaml() {
    try {
      return Json.YAML.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String url(String t, Api api, String where) {
    URI u;
    try {
      u = URI.create(t.strip());
    } catch (IllegalArgumentException e) {
      throw new UserError("Bad target URL \"" + t + "\" (" + where + "): " + e.getMessage());
    }
    if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
      throw new UserError("Bad target URL \"" + t + "\" (" + where + "): give http://HOST:PORT[/PATH] or https://.");
    }
    String path = u.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      if (api == Api.GENERIC) return t.strip();
      return u.getScheme() + "://" + u.getRawAuthority() + api.defaultPath();
    }
    return t.strip();
  }

  private static double positive(Double v, double dflt, String key, String where) {
    double d = v == null ? dflt : v;
    if (!(d > 0) || Double.isInfinite(d)) throw new UserError(key + " must be > 0 (" + where + "), was " + v + ".");
    return d;
  }

  private static double nonNegative(Double v, double dflt, String key, String where) {
    double d = v == null ? dflt : v;
    if (!(d >= 0) || Double.isInfinite(d)) throw new UserError(key + " must be >= 0 (" + where + "), was " + v + ".");
    return d;
  }

  private static int atLeast(int v, int min, String key, String where) {
    if (v < min) throw new UserError(key + " must be >= " + min + " (" + where + "), was " + v + ".");
    return v;
  }
}
