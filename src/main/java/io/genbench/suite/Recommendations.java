package io.genbench.suite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recommendations derived from a suite's measured records only (typed: {@link Row.Values}). Each sentence cites the figures it rests on; a
 * question the run did not measure gets no sentence (no seed rule of thumb is repeated without a measurement).
 */
public final class Recommendations {
  private Recommendations() {}

  public static List<String> of(Map<String, List<Row.Values>> byKind) {
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

  private static String model(Row.Values r) {
    return r.modelName();
  }

  /** Per model and batch size: TP=N against TP=1 decode tokens/s; then from which batch TP pays off. */
  static void tensorParallel(List<Row.Values> rows, List<String> out) {
    Map<String, List<Row.Values>> byModel = new LinkedHashMap<>();
    for (Row.Values r : rows) byModel.computeIfAbsent(r.model() + "|" + r.tiny(), k -> new ArrayList<>()).add(r);
    for (List<Row.Values> mr : byModel.values()) {
      Map<Integer, Row.Values> one = new LinkedHashMap<>();
      for (Row.Values r : mr) if (r.tpSize() == 1 && r.decodeTokensPerS() > 0) one.put(r.batchSize(), r);
      List<Row.Values> multi = mr.stream().filter(r -> r.tpSize() > 1 && r.decodeTokensPerS() > 0)
          .sorted(Comparator.comparingInt((Row.Values r) -> r.batchSize())).toList();
      List<int[]> verdicts = new ArrayList<>(); // batch, wins (1/0)
      for (Row.Values r : multi) {
        Row.Values base = one.get(r.batchSize());
        if (base == null) continue;
        double t = r.decodeTokensPerS(), t1 = base.decodeTokensPerS();
        int tp = r.tpSize(), b = r.batchSize();
        if (t < t1) {
          out.add("TP=" + tp + " is slower than one GPU at batch " + b + " for " + model(r) + " (" + n(t) + " vs " + n(t1)
              + " decode tokens/s; prefill " + n(r.prefillMs()) + " vs " + n(base.prefillMs())
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

  static void pipeline(List<Row.Values> rows, List<String> out) {
    for (Row.Values r : rows) {
      int g = r.gpuCount();
      if (g < 2 || r.speedup() == null) continue;
      Row.Values base = rows.stream().filter(x -> x.gpuCount() == 1).findFirst().orElse(null);
      String cite = base == null ? "" : " (steady state " + n(1 / samplesPerSec(r)) + " vs " + n(1 / samplesPerSec(base))
          + " s/sample)";
      double s = r.speedup();
      out.add("pipeline-diffusion scales " + n(s) + "× on " + g + " GPUs" + cite
          + (s >= 0.9 * g ? ": split the steps over the GPUs for throughput." : ": below " + n(0.9 * g) + "×, the split loses "
          + n(100 * (1 - s / g)) + " % of the GPUs' time; check the per-stage busy time."));
    }
  }

  private static double samplesPerSec(Row.Values r) {
    return r.steadyStateSamplesPerSec() == null ? 1 : r.steadyStateSamplesPerSec();
  }

  static void pipelineBubble(List<Row.Values> rows, List<String> out) {
    Map<String, List<Row.Values>> bySchedule = new LinkedHashMap<>();
    for (Row.Values r : rows) bySchedule.computeIfAbsent(r.schedule() + "|" + r.pipelineParallelSize(), k -> new ArrayList<>()).add(r);
    for (List<Row.Values> rs : bySchedule.values()) {
      List<Row.Values> sorted = rs.stream().sorted(Comparator.comparingInt((Row.Values r) -> r.microBatches())).toList();
      for (Row.Values r : sorted) {
        out.add("PP=" + r.pipelineParallelSize() + " (" + r.schedule() + ", " + model(r) + ") with "
            + r.microBatches() + " micro-batches idles its busiest stage " + n(100 * r.pipelineBubbleRatio())
            + " % of each batch (analytic " + n(100 * r.analyticBubbleRatio()) + " %).");
        double balance = r.stageBalance() == null ? 1 : r.stageBalance();
        if (balance > 1.1) {
          out.add("Its stages are unbalanced: the busiest works " + n(balance) + "× the mean stage (mean stage bubble "
              + n(100 * r.meanStageBubbleRatio()) + " %): move layers off the busiest stage.");
        }
      }
      if (sorted.size() >= 2) {
        Row.Values a = sorted.get(0), b = sorted.get(sorted.size() - 1);
        out.add("Raising micro-batches from " + a.microBatches() + " to " + b.microBatches()
            + " took the " + a.schedule() + " bubble from " + n(100 * a.pipelineBubbleRatio())
            + " % to " + n(100 * b.pipelineBubbleRatio()) + " %.");
      }
    }
  }

  static void collectives(List<Row.Values> rows, List<String> out) {
    Map<String, Row.Values> largest = new LinkedHashMap<>();
    for (Row.Values r : rows) {
      if (r.busbwGbS() == null) continue;
      largest.merge(r.operation() + "|" + r.ranks(), r,
          (x, y) -> y.bytesOrZero() >= x.bytesOrZero() ? y : x);
    }
    for (Row.Values r : largest.values()) {
      String peak = r.linkPeakGbS() != null ? ", " + n(100 * r.peakFraction()) + " % of the "
          + n(r.linkPeakGbS()) + " GB/s link peak" : "";
      String verdict = r.isSuspect() ? " — suspect: far under the link; check P2P and the NCCL settings in the pre-flight" : "";
      out.add(r.operation() + " on " + r.ranks() + " ranks reaches " + n(r.busbwGbS())
          + " GB/s busbw at " + r.bytesOrZero() + " B" + peak + verdict + ".");
    }
  }

  static void sequences(List<Row.Values> knees, List<Row.Values> cells, List<String> out) {
    for (Row.Values k : knees) {
      String who = model(k) + " at batch " + k.batchSize();
      if (k.prefillKneeLength() != null) {
        out.add(who + ": prefill cost per token rises at " + k.prefillKneeLength() + " tokens ("
            + n(k.prefillUsPerTokenBefore()) + " → " + n(k.prefillUsPerTokenAt())
            + " µs/token): prompts up to the length before it come at no extra cost per token.");
      }
      if (k.decodeKneeLength() != null) {
        out.add(who + ": decode throughput drops at " + k.decodeKneeLength() + " tokens of context ("
            + n(k.decodeTokensPerSBefore()) + " → " + n(k.decodeTokensPerSAt()) + " tokens/s).");
      }
      if (k.memoryLimitLength() != null) {
        out.add(who + " runs out of GPU memory at " + k.memoryLimitLength() + " tokens"
            + (k.longestMeasuredLength() != null ? " (the longest that ran: " + k.longestMeasuredLength() + ")" : "")
            + ": cap batch × length below it, or split the model (TP / PP).");
      }
    }
    // per model: each line names the model whose cells were not run, and that model's own reason
    Map<String, List<Row.Values>> unsupported = new LinkedHashMap<>();
    for (Row.Values c : cells) {
      if (c.status().equals("unsupported")) unsupported.computeIfAbsent(model(c), k -> new ArrayList<>()).add(c);
    }
    unsupported.forEach((who, cs) -> out.add(cs.size() + " sequence-length cell(s) were not run: "
        + cs.getFirst().reason() + " (" + who + ")."));
  }
}
