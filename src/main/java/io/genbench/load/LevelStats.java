package io.genbench.load;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The figures of one level against one target, all from its raw measured (non-warm-up) records.
 *
 * <ul>
 * <li>response = done − scheduled (the headline), service = done − sent, dispatch lag = sent − scheduled (the
 *     generator's lateness plus any wait for a connection), fire lag = fired − scheduled (the scheduler alone);
 * <li>TTFT = first token − sent (and from the schedule), TPOT = (done − first token) / (output tokens − 1) per request,
 *     ITL = every gap between consecutive token chunks, pooled over requests;
 * <li>window = from the first measured request's schedule, or from the last warm-up request's end when that is later
 *     (the warm-ups all scheduled first, as in every profile but per-prompt blocks), to the last measured request's
 *     end: the time the server served measured requests only; achieved rate = measured successes done in the window /
 *     window (in a closed loop the first measured requests go out while other users' warm-up requests still run: the
 *     server's time on those is not the measured requests', and counting from the first schedule read a batching
 *     server's warm-up batch as idle time);
 *     images/s and tokens/s the same way; TPOT's request-weighted mean is the mean of per-request TPOTs, its token-weighted mean
 *     Σ(done − first token) / Σ(output tokens − 1).
 * </ul>
 *
 * @param offeredRate the level's offered rate in req/s; NaN for a closed loop
 * @param concurrency the closed loop's users; 0 for an open loop
 * @param requests measured requests (successful or not)
 * @param images images of the measured successes done in the window (likewise outputTokens)
 * @param errors failed measured requests by kind
 * @param tokensCounted requests whose output tokens were counted from chunks (the server sent no usage)
 * @param generatorCpu the generator's own CPU share over the level, 0..1
 * @param serverQueue the server's own queue time ({@code Server-Timing: queue}) over successful requests that had it;
 *     null when none had it
 * @param serverCompute the server's own compute time ({@code Server-Timing: compute}), likewise
 * @param serverOverhead response − server compute per successful request with a compute figure: the serving overhead
 *     as the client sees it (the client's connection wait, the network, the server's queue and its own work)
 */
public record LevelStats(int target, String url, int levelIndex, String label, double offeredRate, int concurrency,
    double windowS, int requests, int ok, Map<ErrorKind, Integer> errors, int warmup, double achievedRate, long images,
    double imagesPerSecond, long outputTokens, double tokensPerSecond, int tokensCounted, double tpotRequestMeanNs,
    double tpotTokenMeanNs, Distribution response, Distribution service, Distribution dispatchLag, Distribution fireLag,
    Distribution ttft, Distribution ttftFromSchedule, Distribution tpot, Distribution itl, double generatorCpu,
    boolean nativeTransport, Distribution serverQueue, Distribution serverCompute, Distribution serverOverhead) {

  /** The formulas, stated in every report. */
  public static final List<String> DEFINITIONS = List.of(
      "response time = done - scheduled over successful requests (the headline; includes every wait, so no coordinated"
          + " omission); failures are counted by kind, not timed",
      "service time = done - sent; dispatch lag = sent - scheduled (includes waiting for a free connection);"
          + " fire lag = fired - scheduled (the scheduler alone)",
      "TTFT = first token - sent (also from the schedule); TPOT = (done - first token) / (output tokens - 1) per request;"
          + " ITL = every gap between consecutive token chunks, pooled over requests",
      "window = first measured scheduled (or the last warm-up done, when later) to last measured done; achieved ="
          + " measured successes done in the window / window; images/s and tokens/s likewise",
      "TPOT request-weighted mean = mean of per-request TPOT; token-weighted mean = sum(done - first token) / sum(tokens - 1)",
      "output tokens come from the server's usage; counted from chunks (and flagged) when it sends none",
      "percentiles are nearest-rank on the raw per-request values, sorted[ceil(p*n) - 1]; warm-up requests are excluded");

  /** Whether some successful request of the level carried the server's own timing. */
  public boolean serverTimed() {
    return serverQueue != null || serverCompute != null;
  }

  public int errorCount() {
    return requests - ok;
  }

  public double errorRate() {
    return requests == 0 ? 0 : errorCount() / (double) requests;
  }

  public static LevelStats of(LevelRun run) {
    List<RequestRecord> all = run.records();
    List<RequestRecord> measured = all.stream().filter(r -> !r.warmup()).toList();
    List<RequestRecord> good = measured.stream().filter(RequestRecord::ok).toList();
    Map<ErrorKind, Integer> errors = new EnumMap<>(ErrorKind.class);
    for (RequestRecord r : measured) if (!r.ok()) errors.merge(r.error(), 1, Integer::sum);
    long first = measured.stream().mapToLong(RequestRecord::scheduledNs).min().orElse(0);
    long last = measured.stream().mapToLong(RequestRecord::doneNs).max().orElse(0);
    // the window starts once the server serves measured requests only (see the class comment)
    long lastWarmScheduled = all.stream().filter(RequestRecord::warmup).mapToLong(RequestRecord::scheduledNs).max().orElse(Long.MIN_VALUE);
    long lastWarmDone = all.stream().filter(RequestRecord::warmup).mapToLong(RequestRecord::doneNs).max().orElse(Long.MIN_VALUE);
    long start = lastWarmScheduled <= first && lastWarmDone > first && lastWarmDone < last ? lastWarmDone : first;
    double window = Math.max(0, last - start) / 1e9;
    List<RequestRecord> completed = start == first ? good : good.stream().filter(r -> r.doneNs() > start).toList();
    long images = completed.stream().mapToLong(RequestRecord::images).sum();
    long tokens = completed.stream().mapToLong(RequestRecord::outputTokens).sum();
    long decodeNs = 0;
    long decodeTokens = 0;
    for (RequestRecord r : good) {
      if (r.tpotNs() < 0) continue;
      decodeNs += r.doneNs() - r.firstByteNs();
      decodeTokens += r.outputTokens() - 1;
    }
    long[] tpot = good.stream().mapToLong(RequestRecord::tpotNs).filter(v -> v >= 0).toArray();
    LongStream.Builder itl = LongStream.builder();
    for (RequestRecord r : good) for (int i = 1; i < r.chunkNs().length; i++) itl.add(r.chunkNs()[i] - r.chunkNs()[i - 1]);
    double offered = run.level() instanceof Level.Open o ? o.arrivals().offeredRate() : Double.NaN;
    int concurrency = run.level() instanceof Level.Closed c ? c.concurrency() : 0;
    return new LevelStats(run.target(), run.url(), run.levelIndex(), run.level().label(), offered, concurrency, window,
        measured.size(), good.size(), errors, all.size() - measured.size(), window > 0 ? completed.size() / window : Double.NaN,
        images, window > 0 ? images / window : Double.NaN, tokens, window > 0 ? tokens / window : Double.NaN,
        (int) good.stream().filter(RequestRecord::tokensCounted).count(),
        tpot.length == 0 ? Double.NaN : LongStream.of(tpot).average().orElse(Double.NaN),
        decodeTokens == 0 ? Double.NaN : decodeNs / (double) decodeTokens,
        Distribution.of(good.stream().mapToLong(RequestRecord::responseNs).toArray()),
        Distribution.of(good.stream().mapToLong(RequestRecord::serviceNs).toArray()),
        Distribution.of(measured.stream().mapToLong(RequestRecord::dispatchLagNs).filter(v -> v >= 0).toArray()),
        Distribution.of(measured.stream().mapToLong(RequestRecord::fireLagNs).toArray()),
        Distribution.of(good.stream().mapToLong(RequestRecord::ttftNs).filter(v -> v >= 0).toArray()),
        Distribution.of(good.stream().mapToLong(RequestRecord::ttftFromScheduleNs).filter(v -> v >= 0).toArray()),
        Distribution.of(tpot), Distribution.of(itl.build().toArray()), run.generatorCpu(), run.nativeTransport(),
        Distribution.of(good.stream().filter(r -> r.serverQueueMs() != null).mapToLong(r -> Math.round(r.serverQueueMs() * 1e6)).toArray()),
        Distribution.of(good.stream().filter(r -> r.serverComputeMs() != null).mapToLong(r -> Math.round(r.serverComputeMs() * 1e6)).toArray()),
        Distribution.of(good.stream().filter(r -> r.serverComputeMs() != null).mapToLong(RequestRecord::overheadNs).toArray()));
  }
}
