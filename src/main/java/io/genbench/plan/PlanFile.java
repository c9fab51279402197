package io.genbench.plan;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.genbench.InputFile;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The plan file: human-editable YAML (JSON accepted), one entry per case with its id. Strict, so a typo in a
 * hand-edited plan never silently becomes something else: unknown and duplicate keys are errors, integers must be
 * written as integers ({@code 2.9} is not batch 2), numbers must be finite and every value within {@link Limits}.
 */
public final class PlanFile {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,119}");

  private static final ObjectMapper STRICT_JSON = strict(Json.MAPPER);
  private static final ObjectMapper STRICT_YAML = strict(Json.YAML);

  private PlanFile() {}

  /** Strict: an integer is written as one (2.9 is not batch 2), and a key given twice is an error, not "the last wins". */
  private static ObjectMapper strict(ObjectMapper base) {
    ObjectMapper mapper = base.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
      mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail); // '4' is text, not 4
    }
    return mapper;
  }

  /** The file's shape. Public fields, because Jackson binds them and rejects any other key. */
  public static final class Doc {
    public int version = 1;
    public String mode;
    public String description;
    public SettingsDoc settings = new SettingsDoc();
    public List<CaseDoc> cases = new ArrayList<>();
  }

  public static final class SettingsDoc {
    public int warmupIterations = Settings.DEFAULT.warmupIterations();
    public int minIterations = Settings.DEFAULT.minIterations();
    public int maxIterations = Settings.DEFAULT.maxIterations();
    public double minDurationS = Settings.DEFAULT.minDurationS();
    public double timeoutS = Settings.DEFAULT.timeoutS();
    public long seed = Settings.DEFAULT.seed();
    public int maxWarmupIterations = Settings.DEFAULT.maxWarmupIterations();
    public double maxWarmupS = Settings.DEFAULT.maxWarmupS();
    public double steadyTolerance = Settings.DEFAULT.steadyTolerance();
    public double targetCiPct = Settings.DEFAULT.targetCiPct();
    public double maxMeasureS = Settings.DEFAULT.maxMeasureS();
  }

  /**
   * One case entry: the case's own keys, the knobs' keys from {@link Knobs.Doc}, and the keys of both workloads (an
   * entry gives those of its model's workload; plans written before a case held only its workload's keys gave an LLM
   * case the diffusion defaults too, which are read and ignored). Keys without a value are not written.
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  @com.fasterxml.jackson.annotation.JsonPropertyOrder({"id", "model", "instance_type", "batch_size", "inference_steps",
      "resolution", "precision", "prompt", "guidance_scale", "scheduler", "attention", "cuda_graphs", "compile",
      "channels_last"})
  public static final class CaseDoc extends Knobs.Doc {
    public String id;
    public String model;
    public String instanceType;
    public Integer batchSize;
    public Integer inferenceSteps;
    public String resolution;
    public String precision;
    public String prompt;
    public Double guidanceScale;
    public String scheduler;
    public Integer frames;
    public Integer promptTokens;
    public Integer outputTokens;
    public String memoryRequest;
    public String memoryLimit;
    public Integer gpus;
  }

  /** Writes the plan as YAML, with a header comment saying how it was made. */
  public static String toYaml(Plan plan, String header) {
    try {
      StringBuilder out = new StringBuilder();
      for (String line : header.split("\n")) out.append("# ").append(line).append('\n');
      out.append(Json.YAML.writeValueAsString(toDoc(plan)));
      return out.toString();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String toJson(Plan plan) {
    try {
      return Json.PRETTY.writeValueAsString(toDoc(plan));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Doc toDoc(Plan plan) {
    Doc doc = new Doc();
    doc.mode = plan.mode() == null ? null : plan.mode().label();
    Settings s = plan.settings();
    doc.settings.warmupIterations = s.warmupIterations();
    doc.settings.minIterations = s.minIterations();
    doc.settings.maxIterations = s.maxIterations();
    doc.settings.minDurationS = s.minDurationS();
    doc.settings.timeoutS = s.timeoutS();
    doc.settings.seed = s.seed();
    doc.settings.maxWarmupIterations = s.maxWarmupIterations();
    doc.settings.maxWarmupS = s.maxWarmupS();
    doc.settings.steadyTolerance = s.steadyTolerance();
    doc.settings.targetCiPct = s.targetCiPct();
    doc.settings.maxMeasureS = s.maxMeasureS();
    for (TestCase c : plan.cases()) {
      CaseDoc d = new CaseDoc();
      d.id = c.id();
      d.model = c.model().id();
      d.instanceType = c.instanceType();
      d.batchSize = c.batchSize();
      d.precision = c.precision().label();
      switch (c.workload()) {
        case Workload.Diffusion w -> {
          d.inferenceSteps = w.steps();
          d.resolution = w.resolution().toString();
          d.prompt = w.prompt();
          d.guidanceScale = w.guidanceScale();
          d.scheduler = w.scheduler().label();
          d.frames = w.frames();
        }
        case Workload.Llm l -> {
          d.promptTokens = l.promptTokens();
          d.outputTokens = l.outputTokens();
        }
      }
      d.set(c.knobs());
      d.memoryRequest = c.resources().memoryRequest();
      d.memoryLimit = c.resources().memoryLimit();
      d.gpus = c.resources().gpus();
      doc.cases.add(d);
    }
    return doc;
  }

  /**
   * Reads and validates a plan file. An empty, binary (NUL bytes, not UTF-8) or oversized ({@link Limits#MAX_PLAN_BYTES})
   * file is a {@link UserError} naming the file, as is any value {@link #parse} rejects.
   */
  public static Plan read(Path path) {
    if (Files.notExists(path)) {
      throw new UserError("Plan file " + path + " does not exist. Write one with: genbench plan --output " + path);
    }
    // a device or a FIFO is refused before a byte is read: /dev/zero would fill memory, a FIFO would block forever
    InputFile.requireRegular(path, "Plan file");
    try {
      long size = Files.size(path);
      if (size > Limits.MAX_PLAN_BYTES) {
        throw new UserError("Plan file " + path + " is " + size / 1024 + " KiB, more than a plan can be ("
            + Limits.MAX_PLAN_BYTES / 1024 + " KiB): is it the right file? Split a larger sweep into several plans.");
      }
    } catch (IOException e) {
      throw new UserError("Cannot read plan file " + path + ": " + e.getMessage());
    }
    return parse(InputFile.read(path, "Plan file", Limits.MAX_PLAN_BYTES), path.toString());
  }

  /** Parses a plan file's bytes; {@code source} names it in error messages. */
  static Plan parse(byte[] bytes, String source) {
    return parse(text(bytes, source), source);
  }

  /** The file's text, or a UserError saying why it is not a plan's text. */
  private static String text(byte[] bytes, String source) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) throw notText(source, "a NUL byte at offset " + i);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw notText(source, "bytes that are not UTF-8 text");
    }
  }

  private static UserError notText(String source, String what) {
    return new UserError("Plan file " + source + " is not a text file (it has " + what + "): a plan is YAML or JSON text,"
        + " as `genbench plan --output` writes it.");
  }

  /** Parses plan text; {@code source} names it in error messages. */
  public static Plan parse(String text, String source) {
    if (text.isBlank() || text.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#") || l.strip().equals("---"))) {
      throw new UserError("Plan file " + source + " is empty: it needs a list of cases. Write one with: genbench plan --output " + source);
    }
    if (text.length() > Limits.MAX_PLAN_BYTES) {
      throw new UserError("Plan " + source + " is longer than a plan can be (" + Limits.MAX_PLAN_BYTES / 1024 + " KiB).");
    }
    if (text.indexOf('\0') >= 0) throw notText(source, "a NUL character");
    boolean json = text.stripLeading().startsWith("{");
    ObjectMapper mapper = json ? STRICT_JSON : STRICT_YAML;
    Doc doc;
    try (JsonParser parser = new DecimalIntegers(mapper.createParser(text))) {
      doc = mapper.readValue(parser, Doc.class);
      requireNothingAfter(parser, json, source);
    } catch (NotDecimal e) {
      throw e.asUserError(source);
    } catch (UnrecognizedPropertyException e) {
      Set<String> known = new TreeSet<>();
      e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      throw new UserError("Unknown key \"" + e.getPropertyName() + "\" (" + where(source, e) + "). Known keys here: "
          + String.join(", ", known) + ".");
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      String key = e.getPath().isEmpty() || e.getPath().getLast().getFieldName() == null ? "?" : e.getPath().getLast().getFieldName();
      String expected = e.getTargetType() == null ? "another type" : switch (e.getTargetType().getSimpleName()) {
        case "int", "Integer", "long", "Long" -> "an integer";
        case "double", "Double" -> "a number";
        case "Boolean", "boolean" -> "true or false";
        case "String" -> "a text value";
        case "List", "ArrayList" -> "a list";
        case "Doc", "SettingsDoc", "CaseDoc" -> "a mapping of keys to values";
        default -> "a " + e.getTargetType().getSimpleName();
      };
      throw new UserError("Bad value for \"" + key + "\" (" + where(source, e) + "): expected " + expected + ".");
    } catch (JsonProcessingException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof NotDecimal n) throw n.asUserError(source); // Jackson wraps what the parser throws mid-object
      }
      String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getOriginalMessage());
      if (message.startsWith("Duplicate field ")) {
        throw new UserError("Duplicate key " + message.substring("Duplicate field ".length()).replace('\'', '"') + " ("
            + where(source, e) + "): give each key once (otherwise the last would silently win).");
      }
      if (message.startsWith("Numeric value") && message.contains("out of range")) {
        throw new UserError("Number out of range (" + where(source, e) + "): " + message + ".");
      }
      if (message.startsWith("Non-standard token")) {
        throw new UserError("Bad number (" + where(source, e) + "): " + message.replaceAll("^Non-standard token '([^']*)'.*", "$1")
            + " is not a number a plan can hold; numbers must be finite, written as 1, 2.5 or 1e3.");
      }
      if (message.startsWith("Malformed numeric value")) {
        throw new UserError("Bad number (" + where(source, e) + "): " + message + "; numbers must be finite, written as 1, 2.5 or 1e3.");
      }
      throw new UserError("Cannot read plan (" + where(source, e) + "): " + message + ". A plan is YAML, or JSON as"
          + " `genbench plan --output plan.json` writes it.");
    } catch (IOException e) {
      throw new UserError("Cannot read plan " + source + ": " + e.getMessage());
    }
    if (doc == null) throw new UserError("Plan " + source + " is empty: it needs a list of cases.");
    if (doc.version != 1) throw new UserError("Unsupported plan version " + doc.version + " (" + source + "). Known: 1.");
    Mode mode = doc.mode == null ? null : Mode.parse(doc.mode, source + " mode");
    Settings settings = settings(doc.settings == null ? new SettingsDoc() : doc.settings, source + " settings");
    if (doc.cases == null || doc.cases.isEmpty()) throw new UserError("Plan " + source + " has no cases: nothing to run.");
    if (doc.cases.size() > Limits.MAX_CASES) {
      throw new UserError("Plan " + source + " has " + doc.cases.size() + " cases, more than " + Limits.MAX_CASES
          + " (days of GPU time): split it into several plans.");
    }
    List<TestCase> cases = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < doc.cases.size(); i++) {
      CaseDoc d = doc.cases.get(i);
      if (d == null) throw new UserError("Empty case (" + source + " case " + (i + 1) + "): each case needs at least model and instance_type.");
      String origin = source + " case " + (i + 1) + (d.id == null ? "" : " \"" + d.id + "\"");
      TestCase c = toCase(d, origin);
      if (!ids.add(c.id())) throw new UserError("Duplicate case id \"" + c.id() + "\" (" + origin + "): every case needs its own id.");
      cases.add(c);
    }
    return new Plan(mode, settings, cases);
  }

  /**
   * A plan is one document: a second YAML document, or text after a JSON plan's closing brace, would otherwise be
   * ignored without a word. An empty trailing YAML document (a last {@code ---}) holds nothing and is allowed.
   */
  private static void requireNothingAfter(JsonParser parser, boolean json, String source) throws IOException {
    JsonToken next;
    try {
      do {
        next = parser.nextToken();
      } while (!json && next == JsonToken.VALUE_NULL);
    } catch (JsonProcessingException e) {
      next = JsonToken.NOT_AVAILABLE; // unreadable text after the plan: the same error
    }
    if (next == null) return;
    int line = parser.currentLocation().getLineNr();
    throw new UserError(json
        ? "Text after the end of the plan (" + source + " line " + line + "): a JSON plan is one object; remove what"
            + " follows its closing }."
        : "A second YAML document (" + source + " line " + line + "): a plan is one document, and everything after the"
            + " first `---` that follows it would be ignored. Merge the cases into one list, or run each plan on its own.");
  }

  /** A YAML integer written other than in plain decimal ({@code 010}, {@code 0x1F}, {@code 1_000}). */
  private static final class NotDecimal extends JsonParseException {
    final String text;
    final String key;
    final java.math.BigInteger value;

    NotDecimal(JsonParser p, String text, String key, java.math.BigInteger value) {
      super(p, "integer not in decimal: " + text);
      this.text = text;
      this.key = key;
      this.value = value;
    }

    UserError asUserError(String source) {
      return new UserError("Bad number " + text + " for \"" + key + "\" (" + where(source, this) + "): YAML 1.1 reads a"
          + " leading 0 as octal (010 is 8), 0x as hex and 0b as binary, and ignores '_', so write integers in plain"
          + " decimal, e.g. " + decimal() + ".");
    }

    String decimal() {
      return value == null || text.startsWith("0x") || text.startsWith("0b") || text.contains("_") ? String.valueOf(value)
          : text.replaceFirst("^([-+]?)0+(?=\\d)", "$1");
    }
  }

  /**
   * Integers only in plain decimal: the YAML 1.1 reader takes {@code 010} for 8, {@code 0x10} for 16 and {@code 1_0}
   * for 10; in a plan those are typos far more often than intent, and a silent 8 changes the figures.
   */
  private static final class DecimalIntegers extends com.fasterxml.jackson.core.util.JsonParserDelegate {
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9]*)");

    DecimalIntegers(JsonParser d) {
      super(d);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = super.nextToken();
      if (t == JsonToken.VALUE_NUMBER_INT && !DECIMAL.matcher(getText()).matches()) {
        java.math.BigInteger value;
        try {
          value = getBigIntegerValue();
        } catch (IOException | RuntimeException e) {
          value = null;
        }
        throw new NotDecimal(this, getText(), String.valueOf(currentName()), value);
      }
      return t;
    }
  }

  private static String where(String source, JsonProcessingException e) {
    return e.getLocation() == null ? source : source + " line " + e.getLocation().getLineNr();
  }

  /** Jackson's first line, without its advice to enable parser features (a person cannot; the plan must change). */
  private static String firstLine(String message) {
    String line = message.lines().findFirst().orElse(message).strip()
        .replaceAll(":? *enable `[A-Za-z_.]+` to allow", "")
        .replaceAll(" *\\(not recognized as one since Feature '[A-Za-z_]+' not enabled for parser\\)", "");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static Settings settings(SettingsDoc s, String origin) {
    int max = Limits.MAX_ITERATIONS;
    Limits.require("warmup_iterations", s.warmupIterations, 0, max, origin);
    Limits.require("min_iterations", s.minIterations, 1, max, origin);
    Limits.require("max_iterations", s.maxIterations, 1, max, origin);
    Limits.require("max_warmup_iterations", s.maxWarmupIterations, 0, max, origin);
    Limits.require("min_duration_s", s.minDurationS, 0, Limits.MAX_DURATION_S, origin);
    Limits.require("timeout_s", s.timeoutS, 0, Limits.MAX_TIMEOUT_S, origin);
    Limits.require("max_warmup_s", s.maxWarmupS, 0, Limits.MAX_DURATION_S, origin);
    Limits.require("steady_tolerance", s.steadyTolerance, 0, 1, origin);
    Limits.require("target_ci_pct", s.targetCiPct, 0, 100, origin);
    Limits.require("max_measure_s", s.maxMeasureS, 0, Limits.MAX_DURATION_S, origin);
    try {
      return new Settings(s.warmupIterations, s.minIterations, s.maxIterations, s.minDurationS, s.timeoutS, s.seed,
          Math.max(s.maxWarmupIterations, s.warmupIterations), s.maxWarmupS, s.steadyTolerance, s.targetCiPct, s.maxMeasureS);
    } catch (IllegalArgumentException e) {
      throw new UserError("Bad settings (" + origin + "): " + e.getMessage() + ".");
    }
  }

  private static TestCase toCase(CaseDoc d, String origin) {
    if (d.model == null) throw new UserError("Missing \"model\" (" + origin + ").");
    Model model = Model.parse(d.model, origin + " model");
    if (d.instanceType == null) throw new UserError("Missing \"instance_type\" (" + origin + "), e.g. g5.xlarge.");
    if (d.id != null && !ID.matcher(d.id).matches()) {
      throw new UserError("Bad case id \"" + d.id + "\" (" + origin + "): use letters, digits, '.', '_' and '-' (it names a directory).");
    }
    int batch = Limits.require("batch_size", d.batchSize == null ? 1 : d.batchSize, 1, Limits.MAX_BATCH_SIZE, origin);
    int steps = Limits.require("inference_steps", d.inferenceSteps == null ? 20 : d.inferenceSteps, 1, Limits.MAX_STEPS, origin);
    if (d.frames != null) Limits.require("frames", d.frames, 1, Limits.MAX_FRAMES, origin);
    if (d.promptTokens != null) Limits.require("prompt_tokens", d.promptTokens, 1, Limits.MAX_TOKENS, origin);
    if (d.outputTokens != null) Limits.require("output_tokens", d.outputTokens, 1, Limits.MAX_TOKENS, origin);
    if (d.gpus != null) Limits.require("gpus", d.gpus, 1, Limits.MAX_GPUS, origin);
    if (d.guidanceScale != null) Limits.require("guidance_scale", d.guidanceScale, 0, Limits.MAX_GUIDANCE_SCALE, origin);
    if (d.prompt != null && d.prompt.length() > Limits.MAX_PROMPT_CHARS) {
      throw new UserError("Bad prompt (" + origin + "): " + d.prompt.length() + " characters, more than " + Limits.MAX_PROMPT_CHARS + ".");
    }
    TestMatrix.quantity("memory_request (" + origin + ")", d.memoryRequest);
    TestMatrix.quantity("memory_limit (" + origin + ")", d.memoryLimit);
    Resolution res = d.resolution == null ? model.nativeResolution() : Resolution.parse(d.resolution, origin + " resolution");
    Precision precision = d.precision == null ? Precision.FLOAT16 : Precision.parse(d.precision, origin + " precision");
    // the other workload's keys are checked too, though not used: a plan written before a case held only its own
    // workload's keys carries them, and a bad value there is still a typo to report
    Scheduler scheduler = d.scheduler == null ? Scheduler.EULER : Scheduler.parse(d.scheduler, origin + " scheduler");
    if (d.prompt != null && d.prompt.isBlank()) throw new UserError("Bad case (" + origin + "): prompt must not be empty.");
    try {
      Workload workload = model.family().isDiffusion()
          ? new Workload.Diffusion(steps, res, model.family() == Family.SVD ? (d.frames == null ? model.defaultFrames() : d.frames) : null,
              d.guidanceScale == null ? Workload.Diffusion.DEFAULT_GUIDANCE_SCALE : d.guidanceScale,
              scheduler,
              d.prompt == null ? TestCase.DEFAULT_PROMPT : d.prompt)
          : new Workload.Llm(d.promptTokens == null ? Workload.Llm.DEFAULT_PROMPT_TOKENS : d.promptTokens,
              d.outputTokens == null ? Workload.Llm.DEFAULT_OUTPUT_TOKENS : d.outputTokens);
      TestCase c = new TestCase(null, model, d.instanceType, precision, batch, workload, d.knobs(origin),
          new Resources(d.gpus == null ? 1 : d.gpus, d.memoryRequest, d.memoryLimit));
      if (d.id == null || d.id.equals(c.id())) return c;
      // an id of the derived form that names other fields is stale (the fields were edited, the id was not): running
      // it would file results under a name that misdescribes them
      String derivedPrefix = model.slug() + "-" + c.instanceSlug() + "-b";
      if (d.id.startsWith(derivedPrefix)) {
        throw new UserError("Case id \"" + d.id + "\" (" + origin + ") does not match its fields, which give \"" + c.id()
            + "\": delete the id line to use the derived id, or correct it.");
      }
      return c.withName(d.id); // a name of the user's own is kept
    } catch (IllegalArgumentException e) {
      throw new UserError("Bad case (" + origin + "): " + e.getMessage() + ".");
    }
  }
}
