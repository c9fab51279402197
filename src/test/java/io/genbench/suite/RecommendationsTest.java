package io.genbench.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.util.List;
import org.junit.jupiter.api.Test;

final class RecommendationsTest {
  private static final String LAUNCH = "{\"type\":\"launch\",\"processes\":%d}";
  private static final String START = "{\"type\":\"suite_start\",\"experiment\":\"%s\",\"world_size\":%d,\"backend\":\"nccl\","
      + "\"device\":\"cuda\",\"simulate\":false,\"config\":{}}";
  private static final String DONE = "{\"type\":\"suite_done\",\"experiment\":\"x\",\"correct\":true}";
  private static final String EXIT = "{\"type\":\"exit\",\"processes\":%d,\"exit_code\":0,\"timed_out\":false}";

  private static List<String> launch(String experiment, int n, String... records) {
    List<String> out = new java.util.ArrayList<>(List.of(String.format(LAUNCH, n), String.format(START, experiment, n)));
    for (String r : records) out.add("{\"type\":\"record\",\"experiment\":\"" + experiment + "\",\"kind\":" + r + "}");
    out.add(DONE);
    out.add(String.format(EXIT, n));
    return out;
  }

  private static SuiteReport report(List<List<String>> launches) {
    List<ObjectNode> events = new java.util.ArrayList<>();
    events.add(Launcher.parse("{\"type\":\"suite_plan\",\"name\":\"comprehensive\",\"launches\":" + launches.size() + "}"));
    for (List<String> l : launches) for (String line : l) events.add(Launcher.parse(line));
    return SuiteReport.of(events);
  }

  private static String tp(int size, int batch, double tps, double prefill) {
    return "\"tp\",\"data\":{\"tp_size\":" + size + ",\"model\":\"facebook/opt-1.3b\",\"tiny\":false,\"batch_size\":" + batch
        + ",\"prompt_tokens\":128,\"output_tokens\":64,\"prefill_ms\":" + prefill + ",\"decode_tokens_per_s\":" + tps + ",\"correct\":true}";
  }

  @Test
  void theH200FixtureGivesSentencesCitingTheirFiguresAndNothingUnmeasured() {
    SuiteReport r = report(List.of(
        launch("tp", 1, tp(1, 8, 1328, 5.88)), launch("tp", 2, tp(2, 8, 569, 14.09)),
        launch("tp", 1, tp(1, 64, 4000, 40)), launch("tp", 2, tp(2, 64, 6800, 25)),
        launch("pipeline-diffusion", 1, "\"pipeline\",\"data\":{\"gpu_count\":1,\"steady_state_samples_per_sec\":0.36523,\"per_sample_sec\":2.9}"),
        launch("pipeline-diffusion", 2, "\"pipeline\",\"data\":{\"gpu_count\":2,\"steady_state_samples_per_sec\":0.72674,\"per_sample_sec\":1.6}"),
        launch("pp-overhead", 2, "\"pp\",\"data\":{\"schedule\":\"gpipe\",\"pipeline_parallel_size\":2,\"micro_batches\":8,"
            + "\"model\":\"facebook/opt-1.3b\",\"pipeline_bubble_ratio\":0.1,\"analytic_bubble_ratio\":0.111111,"
            + "\"mean_stage_bubble_ratio\":0.16,\"stage_balance\":1.15}")));

    List<String> advice = r.recommendations();

    assertThat(advice).contains("TP=2 is slower than one GPU at batch 8 for opt-1.3b (569 vs 1328 decode tokens/s; prefill 14.09 vs 5.88 ms):"
        + " serve it on one GPU per replica at this batch.");
    assertThat(advice).anySatisfy(a -> assertThat(a).startsWith("TP=2 speeds decode up 1.7× at batch 64 for opt-1.3b (6800 vs 4000"));
    assertThat(advice).contains("For opt-1.3b, tensor parallelism pays off from batch 64 upward and not at batch 8 or below (the figures above).");
    assertThat(advice).anySatisfy(a -> assertThat(a).startsWith("pipeline-diffusion scales 1.99× on 2 GPUs (steady state 1.376 vs 2.738 s/sample)"));
    assertThat(advice).anySatisfy(a -> assertThat(a).contains("idles its busiest stage 10 % of each batch (analytic 11.11 %)"));
    assertThat(advice).anySatisfy(a -> assertThat(a).contains("unbalanced: the busiest works 1.15× the mean stage"));
    assertThat(advice).noneMatch(a -> a.contains("busbw") || a.contains("prefill cost per token")); // not measured: not said
    assertThat(r.markdown()).contains("## Recommendations").contains("* TP=2 is slower than one GPU at batch 8");
  }

  @Test
  void sequenceKneesOutOfMemoryAndSuspectLinksAreCited() {
    String knee = "\"seq_knee\",\"data\":{\"model\":\"facebook/opt-125m\",\"batch_size\":8,\"prefill_knee_length\":2048,"
        + "\"prefill_us_per_token_before\":1.2,\"prefill_us_per_token_at\":1.5,\"decode_knee_length\":null,"
        + "\"memory_limit_length\":4096,\"longest_measured_length\":2048}";
    String pre = "\"preflight\",\"data\":{\"min_link_peak_gb_s\":450.0}";
    String coll = "\"collective\",\"data\":{\"operation\":\"all_reduce\",\"bytes\":1073741824,\"ranks\":2,\"time_ns\":21474836,\"correct\":true}";
    SuiteReport r = report(List.of(launch("seq-scaling", 1, knee), launch("collectives", 2, pre, coll)));

    List<String> advice = r.recommendations();

    assertThat(advice).contains("opt-125m at batch 8: prefill cost per token rises at 2048 tokens (1.2 → 1.5 µs/token):"
        + " prompts up to the length before it come at no extra cost per token.");
    assertThat(advice).anySatisfy(a -> assertThat(a).startsWith("opt-125m at batch 8 runs out of GPU memory at 4096 tokens (the longest that ran: 2048)"));
    assertThat(advice).contains("all_reduce on 2 ranks reaches 50 GB/s busbw at 1073741824 B, 11.11 % of the 450 GB/s link peak"
        + " — suspect: far under the link; check P2P and the NCCL settings in the pre-flight.");
    assertThat(advice).noneMatch(a -> a.startsWith("TP=") || a.contains("decode throughput drops"));
  }

  private static String cell(String model, int length, String status, String reason) {
    return "\"seq\",\"data\":{\"model\":\"" + model + "\",\"tiny\":false,\"batch_size\":1,\"sequence_length\":" + length
        + ",\"status\":\"" + status + "\",\"reason\":" + (reason == null ? "null" : "\"" + reason + "\"") + "}";
  }

  @Test
  void eachModelsUnsupportedCellsAreNamedWithThatModelAndAnExperimentWithoutChecksDoesNotClaimThem() {
    SuiteReport r = report(List.of(launch("seq-scaling", 1,
        cell("facebook/opt-125m", 1024, "ok", null),
        cell("facebook/opt-1.3b", 2048, "unsupported", "2048 prompt + 32 output tokens exceed the model's 2048 positions"),
        cell("facebook/opt-1.3b", 4096, "unsupported", "4096 prompt + 32 output tokens exceed the model's 2048 positions"))));

    // the first unsupported cell belongs to opt-1.3b, not to the first model of the run
    assertThat(r.recommendations()).containsExactly(
        "2 sequence-length cell(s) were not run: 2048 prompt + 32 output tokens exceed the model's 2048 positions (opt-1.3b).");
    assertThat(r.checks()).isZero();
    assertThat(r.markdown()).contains("Status: every launch finished (this experiment makes no correctness checks)")
        .doesNotContain("every correctness check held");
    String coll = "\"collective\",\"data\":{\"operation\":\"all_reduce\",\"bytes\":1024,\"ranks\":2,\"time_ns\":2000,\"correct\":true}";
    assertThat(report(List.of(launch("collectives", 2, coll))).markdown()).contains("every correctness check held");
  }

  @Test
  void theSetsPlanTheirLaunchesAndTheConfigReplacesTheGrids() {
    SuiteConfig cfg = SuiteConfig.parse(Json.MAPPER.createObjectNode().set("batch_sizes", Json.MAPPER.valueToTree(List.of(4))), "t");
    List<SuiteRun.Step> quick = SuitePlan.steps("quick", 2, false, cfg);
    assertThat(quick).extracting(s -> s.experiment().label()).containsExactly("collectives", "bandwidth", "tp", "tp", "pp-overhead", "seq-scaling");
    assertThat(quick.get(2).config().path("batch_size").asInt()).isEqualTo(4);
    assertThat(quick.get(5).config().path("batch_sizes").toString()).isEqualTo("[4]");
    List<SuiteRun.Step> full = SuitePlan.steps("comprehensive", 4, false, SuiteConfig.empty());
    assertThat(full).extracting(s -> s.experiment().label()).contains("pipeline-diffusion").filteredOn("pp-overhead"::equals).hasSize(3);
    assertThat(full.stream().filter(s -> s.experiment() == Experiment.PIPELINE_DIFFUSION).map(SuiteRun.Step::processes)).containsExactly(1, 2, 4);
    assertThat(full.stream().filter(s -> s.experiment() == Experiment.TP).count()).isEqualTo(3 * 3); // TP 1, 2, 4 × batches 1, 8, 32
    assertThat(SuitePlan.steps("quick", 1, false, SuiteConfig.empty())).extracting(SuiteRun.Step::experiment)
        .containsExactly(Experiment.SEQ_SCALING);
    assertThatThrownBy(() -> SuiteConfig.parse(Json.MAPPER.createObjectNode().put("num_sample", 3), "suite.yaml"))
        .isInstanceOf(UserError.class).hasMessageContaining("Unknown key \"num_sample\" in suite.yaml. Valid keys: models,");
  }
}
