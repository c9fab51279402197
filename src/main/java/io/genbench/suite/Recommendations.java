package io.genbench.suite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recommendations derived from a suite's measured records only. Each sentence cites the figures it rests on; a
 * question the run did not measure gets no sentence (no seed rule of thumb is repeated without a measurement).
 */
public final class Recommendations {
  private Recommendations() {}

  public static List<String> of(Map<String, List<ObjectNode>> byKind) {
    List<String> out = new ArrayList<>();
    tensorParallel(byKind.getOrDefault("tp", List.of()), out);
    pipeline(byKind.getOrDefault("pipeline", List.of()), out);
    pipelineBubble(byKind.getOrDefault("pp", List.of()), out);
    collectives(byKind.getOrDefault("collective", List.of()), out);
    sequences(byKind.getOrDefault("seq_knee", List.of()), byKind.getOrDefault("seq", List.of()), out);
    return out;
  }

  private static String n(double v) {
    return SuiteReport.mdNumber(v);
  }

  private static String model(ObjectNode r) {
    String m = r.path("model").asText();
    return m.substring(m.lastIndexOf('/') + 1) + (r.path("tiny").asBoolean() ? " (tiny)" : "");
  }

  /** Per model and batch size: TP=N against TP=1 decode tokens/s; then from which batch TP pays off. */
  static void tensorParallel(List<ObjectNode> rows, List<String> out) {
    Map<String, List<ObjectNode>> byModel = new LinkedHashMap<>();
    for (ObjectNode r : rows) byModel.computeIfAbsent(r.path("model").asText() + "|" + r.path("tiny").asText(), k -> new ArrayList<>()).add(r);
    for (List<ObjectNode> mr : byModel.values()) {
      Map<Integer, ObjectNode> one = new LinkedHashMap<>();
      for (ObjectNode r : mr) if (r.path("tp_size").asInt() == 1 && r.path("decode_tokens_per_s").asDouble() > 0) one.put(r.path("batch_size").asInt(), r);
      List<ObjectNode> multi = mr.stream().filter(r -> r.path("tp_size").asInt() > 1 && r.path("decode_tokens_per_s").asDouble() > 0)
          .sorted(Comparator.comparingInt((ObjectNode r) -> r.path("batch_size").asInt())).toList();
      List<int[]> verdicts = new ArrayList<>(); // batch, wins (1/0)
      for (ObjectNode r : multi) {
        ObjectNode base = one.get(r.path("batch_size").asInt());
        if (base == null) continue;
        double t = r.path("decode_tokens_per_s").asDouble(), t1 = base.path("decode_tokens_per_s").asDouble();
        int tp = r.path("tp_size").asInt(), b = r.path("batch_size").asInt();
        if (t < t1) {
          out.add("TP=" + tp + " is slower than one GPU at batch " + b + " for " + model(r) + " (" + n(t) + " vs " + n(t1)
              + " decode tokens/s; prefill " + n(r.path("prefill_ms").asDouble()) + " vs " + n(base.path("prefill_ms").asDouble())
              + " ms): serve it on one GPU per replica at this batch.");
        } else {
          out.add("TP=" + tp + " speeds decode up " + n(t / t1) + "× at batch " + b + " for " + model(r) + " (" + n(t) + " vs "
              + n(t1) + " decode tokens/s, scaling efficiency " + n(t / t1 / tp) + ").");
        }
        verdicts.add(new int[] {b, t >= t1 ? 1 : 0});
      }
      // a crossover: every measured batch below some batch loses, every one from it wins
      for (int i = 1; i < verdicts.size(); i++) {
        final int cut = i;
        boolean below = verdicts.subList(0, cut).stream().allMatch(v -> v[1] == 0);
        boolean above = verdicts.subList(cut, verdicts.size()).stream().allMatch(v -> v[1] == 1);
        if (below && above) {
          out.add("For " + model(multi.get(0)) + ", tensor parallelism pays off from batch " + verdicts.get(cut)[0]
              + " upward and not at batch " + verdicts.get(cut - 1)[0] + " or below (the figures above).");
        }
      }
    }
  }

  static void pipeline(List<ObjectNode> rows, List<String> out) {
    for (ObjectNode r : rows) {
      int g = r.path("gpu_count").asInt();
      if (g < 2 || !r.has("speedup")) continue;
      ObjectNode base = rows.stream().filter(x -> x.path("gpu_count").asInt() == 1).findFirst().orElse(null);
      String cite = base == null ? "" : " (steady state " + n(1 / r.path("steady_state_samples_per_sec").asDouble(1)) + " vs "
          + n(1 / base.path("steady_state_samples_per_sec").asDouble(1)) + " s/sample)";
      double s = r.path("speedup").asDouble();
      out.add("pipeline-diffusion scales " + n(s) + "× on " + g + " GPUs" + cite
          + (s >= 0.9 * g ? ": split the steps over the GPUs for throughput." : ": below " + n(0.9 * g) + "×, the split loses "
          + n(100 * (1 - s / g)) + " % of the GPUs' time; check the per-stage busy time."));
    }
  }

  static void pipelineBubble(List<ObjectNode> rows, List<String> out) {
    Map<String, List<ObjectNode>> bySchedule = new LinkedHashMap<>();
    for (ObjectNode r : rows) bySchedule.computeIfAbsent(r.path("schedule").asText() + "|" + r.path("pipeline_parallel_size").asInt(), k -> new ArrayList<>()).add(r);
    for (List<ObjectNode> rs : bySchedule.values()) {
      List<ObjectNode> sorted = rs.stream().sorted(Comparator.comparingInt((ObjectNode r) -> r.path("micro_batches").asInt())).toList();
      for (ObjectNode r : sorted) {
        out.add("PP=" + r.path("pipeline_parallel_size").asInt() + " (" + r.path("schedule").asText() + ", " + model(r) + ") with "
            + r.path("micro_batches").asInt() + " micro-batches idles its busiest stage " + n(100 * r.path("pipeline_bubble_ratio").asDouble())
            + " % of each batch (analytic " + n(100 * r.path("analytic_bubble_ratio").asDouble()) + " %).");
        double balance = r.path("stage_balance").asDouble(1);
        if (balance > 1.1) {
          out.add("Its stages are unbalanced: the busiest works " + n(balance) + "× the mean stage (mean stage bubble "
              + n(100 * r.path("mean_stage_bubble_ratio").asDouble()) + " %): move layers off the busiest stage.");
        }
      }
      if (sorted.size() >= 2) {
        ObjectNode a = sorted.get(0), b = sorted.get(sorted.size() - 1);
        out.add("Raising micro-batches from " + a.path("micro_batches").asInt() + " to " + b.path("micro_batches").asInt()
            + " took the " + a.path("schedule").asText() + " bubble from " + n(100 * a.path("pipeline_bubble_ratio").asDouble())
            + " % to " + n(100 * b.path("pipeline_bubble_ratio").asDouble()) + " %.");
      }
    }
  }

  static void collectives(List<ObjectNode> rows, List<String> out) {
    Map<String, ObjectNode> largest = new LinkedHashMap<>();
    for (ObjectNode r : rows) {
      if (!r.has("busbw_gb_s")) continue;
      largest.merge(r.path("operation").asText() + "|" + r.path("ranks").asInt(), r,
          (x, y) -> y.path("bytes").asLong() >= x.path("bytes").asLong() ? y : x);
    }
    for (ObjectNode r : largest.values()) {
      String peak = r.has("link_peak_gb_s") ? ", " + n(100 * r.path("peak_fraction").asDouble()) + " % of the "
          + n(r.path("link_peak_gb_s").asDouble()) + " GB/s link peak" : "";
      String verdict = r.path("suspect").asBoolean(false) ? " — suspect: far under the link; check P2P and the NCCL settings in the pre-flight" : "";
      out.add(r.path("operation").asText() + " on " + r.path("ranks").asInt() + " ranks reaches " + n(r.path("busbw_gb_s").asDouble())
          + " GB/s busbw at " + r.path("bytes").asLong() + " B" + peak + verdict + ".");
    }
  }

  static void sequences(List<ObjectNode> knees, List<ObjectNode> cells, List<String> out) {
    for (ObjectNode k : knees) {
      String who = model(k) + " at batch " + k.path("batch_size").asInt();
      if (k.hasNonNull("prefill_knee_length") && !k.path("prefill_knee_length").isNull()) {
        out.add(who + ": prefill cost per token rises at " + k.path("prefill_knee_length").asInt() + " tokens ("
            + n(k.path("prefill_us_per_token_before").asDouble()) + " → " + n(k.path("prefill_us_per_token_at").asDouble())
            + " µs/token): prompts up to the length before it come at no extra cost per token.");
      }
      if (k.hasNonNull("decode_knee_length")) {
        out.add(who + ": decode throughput drops at " + k.path("decode_knee_length").asInt() + " tokens of context ("
            + n(k.path("decode_tokens_per_s_before").asDouble()) + " → " + n(k.path("decode_tokens_per_s_at").asDouble()) + " tokens/s).");
      }
      if (k.hasNonNull("memory_limit_length")) {
        out.add(who + " runs out of GPU memory at " + k.path("memory_limit_length").asInt() + " tokens"
            + (k.hasNonNull("longest_measured_length") ? " (the longest that ran: " + k.path("longest_measured_length").asInt() + ")" : "")
            + ": cap batch × length below it, or split the model (TP / PP).");
      }
    }
    // per model: each line names the model whose cells were not run, and that model's own reason
    Map<String, List<ObjectNode>> unsupported = new LinkedHashMap<>();
    for (ObjectNode c : cells) {
      if (c.path("status").asText().equals("unsupported")) unsupported.computeIfAbsent(model(c), k -> new ArrayList<>()).add(c);
    }
    unsupported.forEach((who, cs) -> out.add(cs.size() + " sequence-length cell(s) were not run: "
        + cs.getFirst().path("reason").asText() + " (" + who + ")."));
  }
}
