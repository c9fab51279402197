package io.genbench.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The plan file: human-editable YAML (JSON accepted), one entry per case with its id. Unknown keys are errors, so
 * a typo in a hand-edited plan never silently falls back to a default.
 */
public final class PlanFile {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,119}");

  private PlanFile() {}

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
  }

  public static final class CaseDoc {
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
    public String attention;
    public String cudaGraphs;
    public Boolean compile;
    public String channelsLast;
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
    for (TestCase c : plan.cases()) {
      CaseDoc d = new CaseDoc();
      d.id = c.id();
      d.model = c.model().id();
      d.instanceType = c.instanceType();
      d.batchSize = c.batchSize();
      d.inferenceSteps = c.steps();
      d.resolution = c.resolution().toString();
      d.precision = c.precision().label();
      d.prompt = c.prompt();
      d.guidanceScale = c.guidanceScale();
      d.scheduler = c.scheduler().label();
      d.attention = c.attention().label();
      d.cudaGraphs = c.cudaGraphs().label();
      d.compile = c.compile();
      d.channelsLast = c.channelsLast().label();
      d.frames = c.frames();
      d.promptTokens = c.promptTokens();
      d.outputTokens = c.outputTokens();
      d.memoryRequest = c.memoryRequest();
      d.memoryLimit = c.memoryLimit();
      d.gpus = c.gpus();
      doc.cases.add(d);
    }
    return doc;
  }

  /** Reads and validates a plan file. */
  public static Plan read(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new UserError("Plan file " + path + " does not exist. Write one with: genbench plan --output " + path);
    } catch (IOException e) {
      throw new UserError("Cannot read plan file " + path + ": " + e.getMessage());
    }
    return parse(text, path.toString());
  }

  /** Parses plan text; {@code source} names it in error messages. */
  public static Plan parse(String text, String source) {
    boolean json = text.stripLeading().startsWith("{");
    ObjectMapper mapper = (json ? Json.MAPPER : Json.YAML).copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    Doc doc;
    try {
      doc = mapper.readValue(text, Doc.class);
    } catch (UnrecognizedPropertyException e) {
      Set<String> known = new TreeSet<>();
      e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      throw new UserError("Unknown key \"" + e.getPropertyName() + "\" (" + source + " line " + e.getLocation().getLineNr()
          + "). Known keys here: " + String.join(", ", known) + ".");
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      String where = e.getLocation() == null ? source : source + " line " + e.getLocation().getLineNr();
      String key = e.getPath().isEmpty() ? "?" : e.getPath().getLast().getFieldName();
      String expected = e.getTargetType() == null ? "another type" : switch (e.getTargetType().getSimpleName()) {
        case "int", "Integer", "long", "Long" -> "an integer";
        case "double", "Double" -> "a number";
        case "Boolean", "boolean" -> "true or false";
        case "String" -> "a text value";
        case "List", "ArrayList" -> "a list";
        default -> "a " + e.getTargetType().getSimpleName();
      };
      throw new UserError("Bad value for \"" + key + "\" (" + where + "): expected " + expected + ".");
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? source : source + " line " + e.getLocation().getLineNr();
      throw new UserError("Cannot read plan (" + where + "): " + e.getOriginalMessage());
    }
    if (doc == null) throw new UserError("Plan " + source + " is empty: it needs a list of cases.");
    if (doc.version != 1) throw new UserError("Unsupported plan version " + doc.version + " (" + source + "). Known: 1.");
    Mode mode = doc.mode == null ? null : Mode.parse(doc.mode, source + " mode");
    Settings settings;
    try {
      SettingsDoc s = doc.settings == null ? new SettingsDoc() : doc.settings;
      settings = new Settings(s.warmupIterations, s.minIterations, s.maxIterations, s.minDurationS, s.timeoutS, s.seed,
          Math.max(s.maxWarmupIterations, s.warmupIterations), s.maxWarmupS, s.steadyTolerance);
    } catch (IllegalArgumentException e) {
      throw new UserError("Bad settings (" + source + "): " + e.getMessage() + ".");
    }
    if (doc.cases == null || doc.cases.isEmpty()) throw new UserError("Plan " + source + " has no cases: nothing to run.");
    List<TestCase> cases = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < doc.cases.size(); i++) {
      CaseDoc d = doc.cases.get(i);
      String origin = source + " case " + (i + 1) + (d.id == null ? "" : " \"" + d.id + "\"");
      TestCase c = toCase(d, origin);
      if (!ids.add(c.id())) throw new UserError("Duplicate case id \"" + c.id() + "\" (" + origin + "): every case needs its own id.");
      cases.add(c);
    }
    return new Plan(mode, settings, cases);
  }

  private static TestCase toCase(CaseDoc d, String origin) {
    if (d.model == null) throw new UserError("Missing \"model\" (" + origin + ").");
    Model model = Model.parse(d.model, origin + " model");
    if (d.instanceType == null) throw new UserError("Missing \"instance_type\" (" + origin + "), e.g. g5.xlarge.");
    if (d.id != null && !ID.matcher(d.id).matches()) {
      throw new UserError("Bad case id \"" + d.id + "\" (" + origin + "): use letters, digits, '.', '_' and '-' (it names a directory).");
    }
    int batch = d.batchSize == null ? 1 : d.batchSize;
    int steps = d.inferenceSteps == null ? 20 : d.inferenceSteps;
    if (batch < 1) throw new UserError("Bad batch_size " + batch + " (" + origin + "): must be a positive integer.");
    if (steps < 1) throw new UserError("Bad inference_steps " + steps + " (" + origin + "): must be a positive integer.");
    Resolution res = d.resolution == null ? model.nativeResolution() : Resolution.parse(d.resolution, origin + " resolution");
    Precision precision = d.precision == null ? Precision.FLOAT16 : Precision.parse(d.precision, origin + " precision");
    try {
      TestCase c = new TestCase(null, model, d.instanceType, batch, steps, res, precision,
          d.prompt == null ? TestCase.DEFAULT_PROMPT : d.prompt, d.guidanceScale == null ? 7.5 : d.guidanceScale,
          d.scheduler == null ? Scheduler.EULER : Scheduler.parse(d.scheduler, origin + " scheduler"),
          d.attention == null ? Attention.SDPA : Attention.parse(d.attention, origin + " attention"),
          d.cudaGraphs == null ? Toggle.AUTO : Toggle.parse(d.cudaGraphs, origin + " cuda_graphs"), Boolean.TRUE.equals(d.compile),
          d.channelsLast == null ? Toggle.AUTO : Toggle.parse(d.channelsLast, origin + " channels_last"),
          model.family() == Family.SVD ? (d.frames == null ? model.defaultFrames() : d.frames) : null,
          model.family().isDiffusion() ? null : (d.promptTokens == null ? 128 : d.promptTokens),
          model.family().isDiffusion() ? null : (d.outputTokens == null ? 64 : d.outputTokens),
          d.memoryRequest, d.memoryLimit, d.gpus == null ? 1 : d.gpus);
      if (d.id == null || d.id.equals(c.id())) return c;
      // an id of the derived form that names other fields is stale (the fields were edited, the id was not): running
      // it would file results under a name that misdescribes them
      String derivedPrefix = model.slug() + "-" + c.instanceSlug() + "-b";
      if (d.id.startsWith(derivedPrefix)) {
        throw new UserError("Case id \"" + d.id + "\" (" + origin + ") does not match its fields, which give \"" + c.id()
            + "\": delete the id line to use the derived id, or correct it.");
      }
      return withName(c, d.id); // a name of the user's own is kept
    } catch (IllegalArgumentException e) {
      throw new UserError("Bad case (" + origin + "): " + e.getMessage() + ".");
    }
  }

  private static TestCase withName(TestCase c, String name) {
    return new TestCase(name, c.model(), c.instanceType(), c.batchSize(), c.steps(), c.resolution(), c.precision(), c.prompt(),
        c.guidanceScale(), c.scheduler(), c.attention(), c.cudaGraphs(), c.compile(), c.channelsLast(), c.frames(),
        c.promptTokens(), c.outputTokens(), c.memoryRequest(), c.memoryLimit(), c.gpus());
  }
}
