package io.genbench.cli;

import io.genbench.UserError;
import io.genbench.metrics.GpuTelemetry;
import io.genbench.metrics.ServeMetrics;
import io.genbench.plan.Family;
import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.serve.Batcher;
import io.genbench.serve.ImageServer;
import io.genbench.serve.OnnxImageBackend;
import io.genbench.serve.RequestLimits;
import io.genbench.serve.ServeHeap;
import io.genbench.serve.WorkerImageBackend;
import io.genbench.run.GpuList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code genbench serve}: an OpenAI-compatible image endpoint on genbench's own models, with dynamic batching. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Serves a model over HTTP, OpenAI-compatible: POST /v1/images/generations (prompt, n, size \"WxH\","
        + " response_format b64_json; extensions steps, guidance, seed), for OPT (--backend torch) POST /v1/completions and"
        + " /v1/chat/completions (max_tokens, stream with SSE, stream_options.include_usage; greedy, one request at a time"
        + " per worker), GET /v1/models, /health, /ready, /metrics (Prometheus).",
        "Requests of one shape (size, steps, guidance) share a batch of up to --max-batch-size images; each response"
            + " carries its queue time, batch size and compute time (Server-Timing header, metrics field). The embedded"
            + " default (--backend onnx) runs the ONNX stand-in of the Stable Diffusion architecture in this JVM, on CPU,"
            + " random weights, whatever --model names. Stops on Ctrl-C."},
    footer = {"", "Examples:", "  genbench serve --model sd-2-1",
        "  curl -s localhost:8000/v1/images/generations -d '{\"prompt\":\"a red fox\",\"size\":\"256x256\",\"steps\":10}'",
        "  genbench serve --model sd-2-1 --max-batch-size 8 --max-queue-delay-ms 20 --api-key \"$KEY\"",
        "  genbench serve --backend torch --model opt-1.3b --gpus all --precision float16",
        "  curl -sN localhost:8000/v1/completions -d '{\"prompt\":\"Hello\",\"max_tokens\":32,\"stream\":true}'"})
final class ServeCommand implements Callable<Integer> {

  /** The backends serve knows. */
  enum Backend { ONNX, TORCH, DIFFUSERS }

  @Option(names = "--backend", defaultValue = "onnx", paramLabel = "B",
      description = "onnx: the embedded default, in-JVM ONNX Runtime on CPU (default) | torch: the PyTorch worker on genbench's"
          + " architectures (SD, SDXL, OPT; random weights unless --weights) | diffusers: the worker on your diffusers pipeline folder (--weights)")
  Backend backend;

  @Option(names = "--gpus", paramLabel = "G", description = "torch, diffusers: one worker per GPU, all or indexes such as 0,1"
      + " (default: one worker on the first GPU, or the CPU without one)")
  String gpus;

  @Option(names = "--weights", paramLabel = "PATH", description = "torch, diffusers: local weights (a diffusers folder or .safetensors); default: random weights")
  String weights;

  @Option(names = "--tiny", description = "torch, diffusers: the architecture's tiny configuration (tests and smoke runs)")
  boolean tiny;

  @Option(names = "--python", paramLabel = "PATH", description = "torch, diffusers: interpreter for the worker (default: GENBENCH_PYTHON, python3, /usr/bin/python3: the first with torch)")
  String python;

  @Option(names = "--build-timeout-s", defaultValue = "1800", paramLabel = "S", description = "torch, diffusers: how long a worker may take to build the model (default: ${DEFAULT-VALUE})")
  int buildTimeoutS;

  @Option(names = "--model", required = true, paramLabel = "M", description = "the model clients name, e.g. sd-2-1 or"
      + " stabilityai/stable-diffusion-2-1 (onnx: served by the embedded stand-in of its architecture)")
  String model;

  @Option(names = "--precision", defaultValue = "float32", paramLabel = "P", description = "float32 | float16 | bfloat16 (onnx: float32 only; default: ${DEFAULT-VALUE})")
  Precision precision;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "H", description = "address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 reaches it from the network)")
  String host;

  @Option(names = "--port", defaultValue = "8000", paramLabel = "N", description = "port (default: ${DEFAULT-VALUE}; 0: any free port, printed)")
  int port;

  @Option(names = "--max-batch-size", defaultValue = "8", paramLabel = "B", description = "images per batch at most (default: ${DEFAULT-VALUE})")
  int maxBatchSize;

  @Option(names = "--max-queue-delay-ms", defaultValue = "10", paramLabel = "D", description = "how long a batch may wait,"
      + " once the model is free, for the images it expects: as many as the last batch plus those queued at its end, so"
      + " one request at a time never waits (default: ${DEFAULT-VALUE}; 0: a batch starts at once with what is queued)")
  double maxQueueDelayMs;

  @Option(names = "--max-queue", defaultValue = "64", paramLabel = "N", description = "requests waiting at most; more get 429 (default: ${DEFAULT-VALUE})")
  int maxQueue;

  @Option(names = "--warmup-requests", defaultValue = "200", paramLabel = "N", description = "image models: requests of the"
      + " smallest size and 1 step sent through the model, one at a time, after 2000 against images made in the JVM,"
      + " before /ready says ready, so the JVM has compiled the request path before clients come (they count in no"
      + " metric; default: ${DEFAULT-VALUE}; 0: no warm-up)")
  int warmupRequests;

  @Option(names = "--api-key", paramLabel = "K", description = "require 'Authorization: Bearer K' on /v1/* (also GENBENCH_API_KEY)")
  String apiKey;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: one per core but one, at least one)")
  int threads;

  @Override
  public Integer call() throws InterruptedException {
    start();
    // no shutdown hook closes the server: a signal is handled by the native-call guard (NativeCalls), which lets the
    // batch in flight finish and then exits; closing the model from a hook would wait for that exit, which waits for it
    new CountDownLatch(1).await();
    return 0;
  }

  /** Checks the options, listens, builds the model and says where it serves. */
  ImageServer start() {
    Model m = Model.parse(model, "--model");
    ServeHeap.bound().ifPresent(how -> System.err.println("genbench serve: " + how));
    if (backend != Backend.ONNX) return startWorker(m);
    if (gpus != null || weights != null || tiny || python != null) {
      throw new UserError("--gpus, --weights, --tiny and --python choose how the PyTorch worker runs; the onnx backend has none."
          + " Use --backend torch, or leave them out.");
    }
    if (m.family() != Family.SD && m.family() != Family.SDXL) {
      throw new UserError("--model " + model + ": the onnx backend serves Stable Diffusion image models (sd-1-5, sd-2-1,"
          + " sdxl); " + m.id() + " is not one." + (m.family() == Family.OPT ? " Serve it with --backend torch (the PyTorch worker)." : ""));
    }
    if (precision != Precision.FLOAT32) {
      throw new UserError("--precision " + precision.label() + ": the onnx backend runs float32 only. Choices: float32.");
    }
    return listen(m, () -> OnnxImageBackend.build(threads), new ServeMetrics(GpuTelemetry.detect()));
  }

  /** --backend torch | diffusers: the PyTorch worker, one process per GPU, supervised. */
  private ImageServer startWorker(Model m) {
    String name = backend.name().toLowerCase(java.util.Locale.ROOT);
    if (m.family() != Family.SD && m.family() != Family.SDXL && m.family() != Family.OPT) {
      throw new UserError("--model " + model + ": serve answers text-to-image (sd-1-5, sd-2-1, sdxl) and text (opt-*) requests; "
          + m.id() + " is neither.");
    }
    if (backend == Backend.DIFFUSERS && (m.family() == Family.OPT || weights == null)) {
      throw new UserError("--backend diffusers serves a diffusers pipeline folder given with --weights (an image model);"
          + " for " + m.id() + (m.family() == Family.OPT ? " use --backend torch." : " add --weights FOLDER."));
    }
    if (buildTimeoutS < 1) throw new UserError("--build-timeout-s " + buildTimeoutS + ": must be at least 1.");
    java.util.List<String> gpuList = gpus == null ? java.util.List.of() : GpuList.parse(gpus, "--gpus", GpuList::detect);
    String py = io.genbench.execute.LocalProcessExecutor.findPython(python, "--backend " + name,
        "or use --backend onnx (the embedded CPU default, no Python)");
    java.nio.file.Path source = GenBench.workerSource();
    if (!java.nio.file.Files.isDirectory(source.resolve("genbench_worker"))) {
      throw new UserError("The worker is missing: " + source + "/genbench_worker not found (genbench.home = " + GenBench.home() + ").");
    }
    var config = new WorkerImageBackend.Config(py, source, m.id(), precision.label(), tiny, weights, name,
        gpuList.isEmpty() ? "auto" : "cuda", gpuList, java.time.Duration.ofSeconds(buildTimeoutS), maxBatchSize);
    ServeMetrics metrics = new ServeMetrics(GpuTelemetry.detect());
    return listen(m, () -> WorkerImageBackend.start(config, metrics), metrics);
  }

  private ImageServer listen(Model m, java.util.function.Supplier<io.genbench.serve.ImageBackend> build, ServeMetrics metrics) {
    if (maxBatchSize < 1) throw new UserError("--max-batch-size " + maxBatchSize + ": must be at least 1.");
    if (maxQueue < 1) throw new UserError("--max-queue " + maxQueue + ": must be at least 1.");
    if (!(maxQueueDelayMs >= 0) || maxQueueDelayMs > 60_000) {
      throw new UserError("--max-queue-delay-ms " + maxQueueDelayMs + ": must be from 0 to 60000.");
    }
    if (port < 0 || port > 65535) throw new UserError("--port " + port + ": must be from 0 to 65535.");
    if (warmupRequests < 0 || warmupRequests > 100_000) throw new UserError("--warmup-requests " + warmupRequests + ": must be from 0 to 100000.");
    String key = apiKey != null ? apiKey : System.getenv("GENBENCH_API_KEY");
    if (key != null && key.isBlank()) throw new UserError("--api-key: must not be empty.");
    var config = new ImageServer.Config(host, port, key, m.id(), RequestLimits.DEFAULT,
        new Batcher.Limits(maxBatchSize, Math.round(maxQueueDelayMs * 1e6), maxQueue));
    ImageServer server;
    try {
      server = ImageServer.start(config, build, metrics, warmupRequests);
    } catch (java.io.UncheckedIOException e) {
      throw new UserError(e.getCause().getMessage() + " (--host " + host + ", --port " + port + "): choose another --port, or 0 for any free one.");
    }
    String where = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
    if (!ImageServer.isLoopback(host)) {
      System.err.println("genbench serve: WARNING: listening on " + host + ": reachable from the network"
          + (key == null ? ", with no --api-key" : "") + ".");
    }
    System.err.println("genbench serve: listening on " + where + ", building the model ...");
    if (server.loopsPoll()) {
      System.err.println("genbench serve: its event loops poll for a request's answer and a client's next request (at most a"
          + " tenth of their time), and the workers their input for the next request (" + Runtime.getRuntime().availableProcessors()
          + " cores; -Dgenbench.serve.poll=false turns both off)");
    }
    long t0 = System.nanoTime();
    try {
      var b = server.ready().get();
      System.err.printf(java.util.Locale.ROOT, "genbench serve: ready: %s/v1 serves %s (backend %s, %s, %s; built in %.1f s)%n",
          where, m.id(), b.name(), b.builtModel(), weights == null ? "random weights" : "weights " + weights, (System.nanoTime() - t0) / 1e9);
    } catch (ExecutionException e) {
      server.close();
      throw new IllegalStateException("the model could not be built: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      server.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return server;
  }
}
