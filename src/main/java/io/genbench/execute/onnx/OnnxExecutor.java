package io.genbench.execute.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.env.HostInfo;
import io.genbench.execute.CaseSink;
import io.genbench.execute.Executor;
import io.genbench.execute.SteadyState;
import io.genbench.execute.Ticker;
import io.genbench.plan.Family;
import io.genbench.plan.Precision;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.FailureKind;
import io.genbench.wire.WorkerEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The embedded default: ONNX Runtime (CPU) in the JVM runs a small UNet of the Stable Diffusion architecture inside
 * a real denoising loop (text encoder, Euler scheduler with classifier-free guidance, VAE decoder), with random
 * weights. Every case, whatever model it names, runs this stand-in at the case's batch size, steps and resolution;
 * results say {@code backend: onnx-cpu, weights: random}. Float32 only: other precisions are reported unsupported.
 */
public final class OnnxExecutor implements Executor {
  private static final String RESOURCES = "/io/genbench/onnx/";
  static final String BACKEND = "onnx-cpu";

  /** How often the case's resident set is sampled for its peak. */
  static final java.time.Duration MEMORY_SAMPLE_PERIOD = java.time.Duration.ofMillis(2);
  /** Native blocks from this size on are mapped on their own and unmapped when freed (see NativeHeap.mapFrom). */
  private static final int MAP_FROM_BYTES = 128 * 1024;

  private final Ticker ticker;
  private final int threads;
  private OrtEnvironment env;
  private OrtSession textEncoder;
  private OrtSession unet;
  private OrtSession vaeDecoder;
  private long loadNs;
  private JsonNode config;
  private static boolean primed;

  /**
   * @param threads intra-op threads for ONNX Runtime; 0 = one per core but one, at least one: the controller's own
   *     threads (event writing, the memory sampler, the JIT and GC) need a core, or they preempt ONNX Runtime's workers
   *     mid-operator. On the 2-core VM a 256x256 batch-1 case ran at 108 ms with CV 13 % on 2 threads and at 55 ms
   *     with CV 2 % on 1 (bench/RESULTS.md §7).
   */
  /** The intra-op threads ONNX Runtime gets for {@code --threads requested} (0: one per core but one, at least one). */
  public static int intraOpThreads(int requested) {
    return requested > 0 ? requested : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
  }

  public OnnxExecutor(Ticker ticker, int threads) {
    this.ticker = ticker;
    this.threads = threads;
  }

  @Override
  public String backend() {
    return BACKEND;
  }

  @Override
  public void execute(List<TestCase> cases, Settings settings, CaseSink sink) {
    sink.event(hello());
    prime();
    for (TestCase c : cases) {
      try {
        runCase(c, settings, sink);
      } catch (OrtException | RuntimeException e) {
        sink.log(c.id(), "onnx backend: " + e);
        sink.event(new WorkerEvent.Failed(c.id(), FailureKind.WORKER_ERROR, "onnx backend: " + e.getMessage()));
      }
      sink.event(new WorkerEvent.Done(c.id()));
    }
  }

  /**
   * Runs the smallest image once, outside every case, the first time this process uses ONNX Runtime: the native
   * library's pages, its thread pools and the JIT's code are the process's, and would otherwise be charged to
   * whichever case happens to run first.
   */
  private void prime() {
    if (primed) return;
    primed = true;
    NativeHeap.mapFrom(MAP_FROM_BYTES);
    try {
      load();
      new Pipeline(TestCase.diffusion(io.genbench.plan.Model.SD_2_1, "none", 1, 1, new io.genbench.plan.Resolution(64, 64),
          Precision.FLOAT32), 0).generate(null);
    } catch (OrtException | RuntimeException e) {
      // the first case then reports it
    } finally {
      loadNs = 0; // the priming build paid the process's first-use costs: the first case's build is measured anew
      try {
        release();
      } catch (OrtException e) {
        // as above
      }
    }
  }

  private WorkerEvent.Hello hello() {
    String cpu = HostInfo.cpuModel();
    return new WorkerEvent.Hello(null, version(), 1, BACKEND, null, null, null, "cpu",
        List.of(Map.of("index", 0, "name", cpu == null ? "cpu" : cpu, "memory_bytes", HostInfo.memoryBytes())),
        null, HostInfo.hostname());
  }

  /** ONNX Runtime's version as the library reports it. */
  public static String version() {
    try (var n = NativeCalls.enter()) {
      return "onnxruntime " + OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      return "onnxruntime (unavailable: " + e.getMessage() + ")";
    }
  }

  private void runCase(TestCase c, Settings s, CaseSink sink) throws OrtException {
    // the case's memory window opens before its sessions exist and closes after they are released, so the figure is
    // this case's weights, activations and allocator caches, whatever ran before it in this process
    try (ResidentSetSampler memory = ResidentSetSampler.start(MEMORY_SAMPLE_PERIOD)) {
      try {
        load();
        measure(c, s, sink);
      } finally {
        release();
      }
      if (memory.available()) {
        long delta = Math.max(0, memory.peakBytes() - memory.baselineBytes());
        sink.event(new WorkerEvent.Memory(c.id(), delta, delta, "cpu", "rss-delta", memory.baselineBytes()));
      }
    }
  }

  private void measure(TestCase c, Settings s, CaseSink sink) throws OrtException {
    Map<String, Long> components = new java.util.LinkedHashMap<>();
    long total = 0;
    for (String name : List.of("text_encoder", "unet", "vae_decoder")) {
      long n = config.path("files").path(name).path("parameters").asLong();
      components.put(name, n);
      total += n;
    }
    // the exported graph has math attention baked in; graphs, compile and channels_last do not exist here
    sink.event(new WorkerEvent.Loaded(c.id(), loadNs, "random", total, components,
        Map.of("attention", "math", "cuda_graphs", false, "compile", false, "channels_last", false)));
    // the runner skips these before the run; a caller that hands one in anyway gets the same reason as a finding
    var why = cannotRun(c);
    if (why.isPresent()) {
      sink.event(new WorkerEvent.Failed(c.id(), FailureKind.UNSUPPORTED, why.get()));
      return;
    }
    Pipeline pipeline = new Pipeline(c, s.seed());
    long caseStart = ticker.read();
    SteadyState warmup = SteadyState.of(s);
    WorkerEvent.Sample first = null;
    while (!warmup.done(ticker.read() - caseStart)) {
      int i = warmup.iterations();
      if ((ticker.read() - caseStart) / 1e9 > s.timeoutS()) {
        sink.event(new WorkerEvent.Failed(c.id(), FailureKind.TIMEOUT, "case exceeded timeout_s = " + s.timeoutS() + " in warm-up " + i));
        return;
      }
      WorkerEvent.Sample it = iterate(pipeline, c, 0); // numbered as the first sample, which it becomes if it is measured
      if (warmup.offer(it.e2eNs())) {
        first = it; // it completed a steady window: the first measured iteration (SteadyState)
      } else {
        sink.event(new WorkerEvent.Warmup(c.id(), i, it.e2eNs()));
      }
    }
    sink.event(new WorkerEvent.Warmed(c.id(), warmup.iterations(), warmup.steady(), warmup.window(), warmup.tolerance(),
        warmup.spread()));
    long measureStart = ticker.read();
    MeasureStop stop = MeasureStop.of(s);
    LoadMeter load = LoadMeter.start(measureStart);
    int i = 0;
    if (first != null) {
      measureStart -= first.e2eNs(); // measuring began with it (min_duration_s, max_measure_s)
      sink.event(first);
      stop.add(first.e2eNs());
      i = 1;
    }
    for (; !stop.done(ticker.read() - measureStart); i++) {
      if ((ticker.read() - caseStart) / 1e9 > s.timeoutS()) {
        sink.event(new WorkerEvent.Failed(c.id(), FailureKind.TIMEOUT, "case exceeded timeout_s = " + s.timeoutS() + " after " + i + " iterations"));
        return;
      }
      WorkerEvent.Sample sample = iterate(pipeline, c, i);
      sink.event(sample);
      stop.add(sample.e2eNs());
    }
    sink.event(load.stop(c.id(), ticker.read()));
  }

  /**
   * One timed iteration of {@code c} as its sample number {@code i} (one execute() runs one trial of the case, so i
   * numbers its samples per case and trial).
   */
  private WorkerEvent.Sample iterate(Pipeline pipeline, TestCase c, int i) throws OrtException {
    long[] phases = new long[2];
    long[] steps = new long[c.diffusion().steps()];
    long t0 = ticker.read();
    pipeline.generate(new Timing(phases, steps));
    long e2e = ticker.read() - t0;
    return new WorkerEvent.Sample(c.id(), i, "measure", e2e, phases[0], toList(steps), phases[1], c.batchSize(),
        null, null, null, null, i);
  }

  private static List<Long> toList(long[] a) {
    Long[] boxed = new Long[a.length];
    for (int i = 0; i < a.length; i++) boxed[i] = a[i];
    return List.of(boxed);
  }

  /**
   * Builds the case's sessions. Each case gets its own, and {@link #release()} closes them when it ends, so no case
   * inherits another's allocations and every execute() call (a model group, or a trial) starts as a fresh worker.
   */
  private void load() throws OrtException {
    long t0 = ticker.read();
    if (config == null) config = readConfig();
    try (var n = NativeCalls.enter(); OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      env = OrtEnvironment.getEnvironment();
      options.setIntraOpNumThreads(intraOpThreads(threads));
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // ONNX Runtime's default CPU arena, one per session: it grows in doubling chunks and keeps them until the
      // session closes, so the figure is what a deployment with default settings holds. Measured on the 2-core VM,
      // 512x512 b1: with it 307-321 MB in any order, ~20 % faster; without it 118-163 MB, moving with what ran before
      options.setCPUArenaAllocator(true);
      textEncoder = env.createSession(Models.TEXT_ENCODER, options);
      unet = env.createSession(Models.UNET, options);
      vaeDecoder = env.createSession(Models.VAE_DECODER, options);
    }
    long took = ticker.read() - t0;
    // every case runs the one stand-in model: its build is measured once (the first after prime()) and every case is
    // charged that same build, whatever its place in the plan
    if (loadNs == 0) loadNs = took;
  }

  /** Closes the case's sessions, handing their weights and buffers back. */
  private void release() throws OrtException {
    OrtException first = null;
    try (var n = NativeCalls.enter()) {
      for (OrtSession session : new OrtSession[] {textEncoder, unet, vaeDecoder}) {
        if (session == null) continue;
        try {
          session.close();
        } catch (OrtException e) {
          if (first == null) first = e;
        }
      }
    }
    textEncoder = null;
    unet = null;
    vaeDecoder = null;
    if (first != null) throw first;
  }

  /** The embedded graphs, read once per process: a case's memory window should not hold a fresh copy of each. */
  private static final class Models {
    static final byte[] TEXT_ENCODER = resource("text_encoder.onnx");
    static final byte[] UNET = resource("unet.onnx");
    static final byte[] VAE_DECODER = resource("vae_decoder.onnx");
  }

  static JsonNode readConfig() {
    try {
      return Json.MAPPER.readTree(resource("models.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] resource(String name) {
    try (InputStream in = OnnxExecutor.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) throw new IllegalStateException("missing embedded model " + RESOURCES + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      release();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where one iteration's phase times go: {@code phases[0]} text encode, {@code phases[1]} decode, one slot per step. */
  private record Timing(long[] phases, long[] steps) {}

  /** One case's denoising pipeline, or one served batch's. */
  private final class Pipeline {
    private final int batchSize;
    private final int steps;
    private final io.genbench.plan.Resolution resolution;
    private final double guidanceScale;
    private final List<String> prompts;
    private final long seed;
    /** One seed per image (a served batch), or null: one stream from {@link #seed} fills the whole batch (a case). */
    private final long[] seeds;
    private final int maxLength;
    private final int vocab;
    private final float scaling;
    private final long[] ids;
    /** The decoded images (NCHW, as the VAE returns them) of the last batch, when {@link #keepImages}. */
    private boolean keepImages;
    private float[] images;

    Pipeline(TestCase c, long seed) {
      this(java.util.Collections.nCopies(c.batchSize(), c.diffusion().prompt()), seed, null, c.diffusion().resolution(), c.diffusion().steps(), c.diffusion().guidanceScale());
    }

    Pipeline(List<String> prompts, long seed, long[] seeds, io.genbench.plan.Resolution resolution, int steps, double guidanceScale) {
      this.batchSize = prompts.size();
      this.prompts = prompts;
      this.seed = seed;
      this.seeds = seeds;
      this.resolution = resolution;
      this.steps = steps;
      this.guidanceScale = guidanceScale;
      this.maxLength = config.path("max_length").asInt(77);
      this.vocab = config.path("vocab_size").asInt(1000);
      this.scaling = (float) config.path("scaling_factor").asDouble(0.18215);
      this.ids = tokens();
    }

    /** Unconditional (empty prompt) rows first, then the prompts' rows: classifier-free guidance doubles the batch. */
    private long[] tokens() {
      int b = batchSize;
      long[] empty = Tokens.encode("", vocab, maxLength);
      long[] all = new long[2 * b * maxLength];
      for (int i = 0; i < b; i++) {
        System.arraycopy(empty, 0, all, i * maxLength, maxLength);
        System.arraycopy(Tokens.encode(prompts.get(i), vocab, maxLength), 0, all, (b + i) * maxLength, maxLength);
      }
      return all;
    }

    /** One image batch: a native section, left between UNet steps when the process is exiting (see NativeCalls). */
    void generate(Timing timing) throws OrtException {
      try (var n = NativeCalls.enter()) {
        generateInside(timing);
      }
    }

    private void generateInside(Timing timing) throws OrtException {
      int b = batchSize;
      int h = resolution.latentHeight();
      int w = resolution.latentWidth();
      int per = 4 * h * w;
      long t0 = ticker.read();
      float[] context;
      long[] contextShape;
      try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {2L * b, maxLength});
          OrtSession.Result r = textEncoder.run(Map.of("input_ids", input))) {
        OnnxTensor out = (OnnxTensor) r.get(0);
        contextShape = out.getInfo().getShape();
        context = copy(out.getFloatBuffer());
      }
      if (timing != null) timing.phases[0] = ticker.read() - t0;

      EulerScheduler scheduler = new EulerScheduler(steps);
      float[] latents = new float[b * per];
      SplittableRandom random = new SplittableRandom(seed);
      for (int k = 0; k < latents.length; k++) {
        // a served image's noise is its own seed's, whatever batch it shares
        if (seeds != null && k % per == 0) random = new SplittableRandom(seeds[k / per]);
        latents[k] = (float) (gaussian(random) * scheduler.initNoiseSigma());
      }
      float[] guided = new float[b * per];
      float guidance = (float) guidanceScale;
      // the UNet's input and output live in direct buffers that ONNX Runtime reads and writes in place, one set per
      // iteration: a step allocates nothing on the Java heap, so the case's memory figure is the runtime's, not garbage
      FloatBuffer input = direct(2 * b * per);
      FloatBuffer t = direct(2 * b);
      FloatBuffer pred = direct(2 * b * per);
      long[] latentShape = {2L * b, 4, h, w};
      try (OnnxTensor ctx = OnnxTensor.createTensor(env, FloatBuffer.wrap(context), contextShape);
          OnnxTensor sample = OnnxTensor.createTensor(env, input, latentShape);
          OnnxTensor timestep = OnnxTensor.createTensor(env, t, new long[] {2L * b});
          OnnxTensor noisePred = OnnxTensor.createTensor(env, pred, latentShape)) {
        Map<String, OnnxTensor> inputs = Map.of("sample", sample, "timestep", timestep, "encoder_hidden_states", ctx);
        Map<String, OnnxTensor> outputs = Map.of("noise_pred", noisePred);
        for (int i = 0; i < scheduler.steps(); i++) {
          NativeCalls.checkpoint();
          long s0 = ticker.read();
          float scale = scheduler.inputScale(i);
          int half = latents.length;
          for (int k = 0; k < half; k++) {
            input.put(k, latents[k] * scale);
            input.put(half + k, latents[k] * scale);
          }
          for (int k = 0; k < 2 * b; k++) t.put(k, scheduler.timestep(i));
          try (OrtSession.Result r = unet.run(inputs, outputs)) {
            for (int k = 0; k < half; k++) {
              float uncond = pred.get(k);
              guided[k] = uncond + guidance * (pred.get(half + k) - uncond);
            }
          }
          scheduler.step(i, latents, guided);
          if (timing != null) timing.steps[i] = ticker.read() - s0;
        }
      }
      long d0 = ticker.read();
      for (int k = 0; k < latents.length; k++) latents[k] /= scaling;
      try (OnnxTensor z = OnnxTensor.createTensor(env, FloatBuffer.wrap(latents), new long[] {b, 4, h, w});
          OrtSession.Result r = vaeDecoder.run(Map.of("latents", z))) {
        // the shape, not a copy: copying the images into the Java heap each iteration would be the case's largest
        // allocation on the Java side, and would blur its memory figure with garbage
        long[] shape = ((OnnxTensor) r.get(0)).getInfo().getShape();
        long values = java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (values != (long) b * 3 * resolution.width() * resolution.height()) {
          throw new IllegalStateException("VAE decoder returned " + java.util.Arrays.toString(shape) + " for " + b
              + " images of " + resolution);
        }
        if (keepImages) images = copy(((OnnxTensor) r.get(0)).getFloatBuffer());
      }
      if (timing != null) timing.phases[1] = ticker.read() - d0;
    }
  }

  private static FloatBuffer direct(int floats) {
    return java.nio.ByteBuffer.allocateDirect(4 * floats).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
  }

  private static float[] copy(FloatBuffer b) {
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  private static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * The serving seam: the embedded model built once, then batches of prompts turned into images, each image from its
   * own seed. One batch at a time (callers serialise); {@link #close()} releases the model.
   */
  public static final class Generator implements AutoCloseable {
    private final OnnxExecutor onnx;

    private Generator(OnnxExecutor onnx) {
      this.onnx = onnx;
    }

    /** Builds the model's sessions ({@code threads} as for {@link #intraOpThreads}). */
    public static Generator open(int threads) {
      OnnxExecutor onnx = new OnnxExecutor(Ticker.SYSTEM, threads);
      NativeHeap.mapFrom(MAP_FROM_BYTES);
      try {
        onnx.load();
      } catch (OrtException e) {
        throw new IllegalStateException("onnx backend: cannot build the embedded model: " + e.getMessage(), e);
      }
      return new Generator(onnx);
    }

    /** The embedded model's id, e.g. {@code genbench/sd-2-1-small}. */
    public String modelId() {
      return onnx.config.path("model_id").asText("genbench/sd-2-1-small");
    }

    /** Image width and height must be multiples of this (the UNet's downsampling of the latent, times the VAE's 8). */
    public int sizeMultiple() {
      return 8 * onnx.config.path("latent_multiple").asInt(1);
    }

    /**
     * One batch: {@code prompts.size()} images of {@code size}, image i from {@code seeds[i]}.
     *
     * @return the images as the VAE decodes them, NCHW floats in about [-1, 1]
     */
    public Images generate(List<String> prompts, long[] seeds, io.genbench.plan.Resolution size, int steps, double guidance) {
      if (prompts.isEmpty() || seeds.length != prompts.size()) {
        throw new IllegalArgumentException("one seed per prompt: " + prompts.size() + " prompts, " + seeds.length + " seeds");
      }
      Pipeline pipeline = onnx.new Pipeline(prompts, 0, seeds, size, steps, guidance);
      pipeline.keepImages = true;
      try {
        pipeline.generate(null);
      } catch (OrtException e) {
        throw new IllegalStateException("onnx backend: " + e.getMessage(), e);
      }
      return new Images(prompts.size(), size.width(), size.height(), pipeline.images);
    }

    @Override
    public void close() {
      onnx.close();
    }
  }

  /**
   * Decoded images.
   *
   * @param count images
   * @param width pixels
   * @param height pixels
   * @param nchw {@code count × 3 × height × width} floats, RGB planes, about [-1, 1] (the VAE's range)
   */
  public record Images(int count, int width, int height, float[] nchw) {}

  /** The embedded models' description (architecture, parameters, how they were exported). */
  public static String describe() {
    return new String(resource("models.json"), StandardCharsets.UTF_8);
  }

  static boolean available() {
    return OnnxExecutor.class.getResource(RESOURCES + "unet.onnx") != null;
  }

  /** The configurations the embedded backend cannot run: other architectures, half precision, GPU-only knobs. */
  @Override
  public java.util.Optional<String> cannotRun(TestCase c) {
    if (c.model().family() != Family.SD && c.model().family() != Family.SDXL) {
      return java.util.Optional.of("the onnx-cpu backend runs the Stable Diffusion image architecture only; run "
          + c.model().id() + " with --backend torch");
    }
    if (c.precision() != Precision.FLOAT32) {
      return java.util.Optional.of("the onnx-cpu backend runs float32 only; plan with --precisions float32, or run "
          + c.precision().label() + " with --backend torch on a GPU");
    }
    if (c.knobs().cudaGraphs() == io.genbench.plan.Toggle.ON || c.knobs().compile() || c.knobs().channelsLast() == io.genbench.plan.Toggle.ON) {
      return java.util.Optional.of("CUDA graphs, torch.compile and channels_last do not exist in the onnx-cpu backend:"
          + " compare them with --backend torch");
    }
    int multiple = 8 * (config != null ? config : readConfig()).path("latent_multiple").asInt(1);
    if (c.diffusion().resolution().width() % multiple != 0 || c.diffusion().resolution().height() % multiple != 0) {
      return java.util.Optional.of("the embedded onnx-cpu UNet downsamples the latent " + (multiple / 8)
          + "x: width and height must be multiples of " + multiple + ", was " + c.diffusion().resolution());
    }
    return java.util.Optional.empty();
  }
}
