package io.genbench.suite;

import static io.genbench.suite.SuiteConfig.Settings.or;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.util.ArrayList;
import java.util.List;

/**
 * The sets {@code genbench suite quick} and {@code genbench suite comprehensive}: a sequence of launches into one run
 * directory, ending in one report with recommendations. Every multi-rank launch starts with the worker's
 * interconnect pre-flight.
 *
 * <ul>
 *   <li>{@code quick} (a few minutes on 2 GPUs): collectives all_reduce, all_gather, send_recv at 1 MiB … 1 GiB (×16);
 *   bandwidth to 256 MiB; tp at TP=1 and TP=min(2, N) at batches 1 and 8 (the last model); pp-overhead with 8
 *   micro-batches; seq-scaling of the first model at lengths 128, 512, 2048 × batches 1, 8.
 *   <li>{@code comprehensive}: every collective at 8 B … 1 GiB; bandwidth to 1 GiB; tp at TP 1, 2, 4, … N × batches
 *   1, 8, 32; pp-overhead at 4, 8 and 16 micro-batches; seq-scaling of every model over seed 002's grid;
 *   pipeline-diffusion over the GPU counts that divide 28 steps.
 * </ul>
 * The config file's keys replace these grids; with {@code --simulate} the grids shrink to tiny ones.
 */
public final class SuitePlan {
  private SuitePlan() {}

  public static final List<String> SETS = List.of("quick", "comprehensive");

  public static boolean isSet(String name) {
    return SETS.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  public static List<SuiteRun.Step> steps(String set, int gpus, boolean simulate, SuiteConfig cfg) {
    boolean full = set.equalsIgnoreCase("comprehensive");
    List<SuiteRun.Step> out = new ArrayList<>();
    SuiteConfig.Settings keys = cfg.settings();
    List<String> models = or(keys.models(), List.of("facebook/opt-125m", "facebook/opt-1.3b"));
    String last = models.get(models.size() - 1);
    Integer samples = keys.samples();
    if (gpus >= 2) {
      ObjectNode coll = base(cfg);
      if (!full) coll.putPOJO("operations", List.of("all_reduce", "all_gather", "send_recv"));
      if (!simulate) {
        coll.put("min_bytes", or(keys.minBytes(), full ? 8 : 1L << 20));
        coll.put("max_bytes", or(keys.maxBytes(), 1L << 30));
        coll.put("factor", full ? 2 : 16);
      } else {
        coll.put("min_bytes", 64).put("max_bytes", 1024).put("factor", 16);
      }
      if (samples != null) coll.put("iterations", samples);
      out.add(new SuiteRun.Step(Experiment.COLLECTIVES, gpus, coll));

      ObjectNode bw = base(cfg);
      bw.put("max_bytes", or(keys.maxBytes(), simulate ? 1024 : full ? 1L << 30 : 256L << 20));
      if (simulate) bw.put("factor", 256);
      if (samples != null) bw.put("iterations", samples);
      out.add(new SuiteRun.Step(Experiment.BANDWIDTH, gpus, bw));

      List<Integer> tpSizes = or(keys.tpSizes(), full ? powersUpTo(gpus) : List.of(1, 2));
      for (int n : tpSizes) {
        if (n > gpus) throw new UserError("tp_sizes " + n + " exceeds --gpus " + gpus + ". Valid: 1.." + gpus + ".");
      }
      List<Integer> batches = or(keys.batchSizes(), simulate ? List.of(1, 2) : full ? List.of(1, 8, 32) : List.of(1, 8));
      for (int batch : batches) {
        for (int n : tpSizes) {
          ObjectNode tp = base(cfg).put("batch_size", batch);
          if (!simulate || keys.models() != null) tp.put("model", last);
          if (samples != null) tp.put("iterations", samples);
          if (keys.outputTokens() != null) tp.put("output_tokens", keys.outputTokens());
          out.add(new SuiteRun.Step(Experiment.TP, n, tp));
        }
      }
      List<Integer> micro = or(keys.microBatches(), simulate ? List.of(4) : full ? List.of(4, 8, 16) : List.of(8));
      for (int m : micro) {
        ObjectNode pp = base(cfg).put("micro_batches", m);
        if (!simulate || keys.models() != null) pp.put("model", last);
        out.add(new SuiteRun.Step(Experiment.PP_OVERHEAD, gpus, pp));
      }
    }
    ObjectNode seq = base(cfg);
    List<String> seqModels = keys.models() != null ? models : full ? models : List.of(models.get(0));
    seq.putPOJO("models", seqModels);
    seq.putPOJO("sequence_lengths", or(keys.sequenceLengths(),
        simulate ? List.of(8, 16) : full ? List.of(128, 256, 512, 1024, 2048, 4096) : List.of(128, 512, 2048)));
    seq.putPOJO("batch_sizes", or(keys.batchSizes(), simulate ? List.of(1, 2) : full ? List.of(1, 2, 4, 8, 16, 32) : List.of(1, 8)));
    if (samples != null) seq.put("samples", samples);
    else if (simulate || !full) seq.put("samples", simulate ? 1 : 3);
    if (keys.outputTokens() != null) seq.put("output_tokens", keys.outputTokens());
    out.add(new SuiteRun.Step(Experiment.SEQ_SCALING, 1, seq));

    if (full) {
      int steps = or(keys.totalSteps(), simulate ? 4 : 28);
      List<Integer> counts = or(keys.gpuCounts(), powersUpTo(gpus).stream().filter(n -> steps % n == 0).toList());
      for (int n : counts) {
        if (n > gpus) throw new UserError("gpu_counts " + n + " exceeds --gpus " + gpus + ". Valid: 1.." + gpus + ".");
        if (steps % n != 0) throw new UserError("total_steps " + steps + " does not divide by gpu_counts " + n + ".");
        ObjectNode pd = base(cfg).put("total_steps", steps);
        if (keys.numSamples() != null) pd.put("num_samples", keys.numSamples());
        out.add(new SuiteRun.Step(Experiment.PIPELINE_DIFFUSION, n, pd));
      }
    }
    return out;
  }

  private static ObjectNode base(SuiteConfig cfg) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    SuiteConfig.Settings keys = cfg.settings();
    if (keys.seed() != null) c.put("seed", keys.seed());
    if (keys.warmup() != null) c.put("warmup", keys.warmup());
    if (keys.precision() != null) c.put("precision", keys.precision());
    return c;
  }

  static List<Integer> powersUpTo(int n) {
    List<Integer> out = new ArrayList<>();
    for (int p = 1; p <= n; p *= 2) out.add(p);
    if (out.get(out.size() - 1) != n) out.add(n);
    return out;
  }
}
