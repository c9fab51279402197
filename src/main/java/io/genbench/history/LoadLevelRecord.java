package io.genbench.history;

/**
 * One level of a recorded load run against one target: a row of {@code genbench_load_levels}, read from the run's
 * {@code results.json}. Latencies in ms; null where a figure does not exist.
 *
 * @param target the target's number, from 1
 * @param url the target URL
 * @param level the level's label, e.g. {@code 2.5rps} or {@code c8}
 * @param offeredRps the offered rate (open loop), or null
 * @param concurrency the closed loop's users, 0 for an open loop
 * @param requests measured requests, successful or not
 * @param ok successful measured requests
 * @param errorRate failed / measured, 0..1
 * @param achievedRps successful requests / window
 * @param responseP50Ms response time (done − scheduled) P50
 * @param responseP95Ms P95
 * @param responseP99Ms P99
 * @param ttftP50Ms TTFT P50 (token APIs)
 * @param ttftP99Ms TTFT P99
 * @param tpotP50Ms TPOT P50
 * @param imagesPerS images per second
 * @param tokensPerS output tokens per second
 * @param verdict {@code VALID} or {@code INVALID}, or null when the run judged none
 * @param slo {@code pass}, {@code fail}, or null without an SLO
 */
public record LoadLevelRecord(int target, String url, String level, Double offeredRps, int concurrency, int requests, int ok,
    Double errorRate, Double achievedRps, Double responseP50Ms, Double responseP95Ms, Double responseP99Ms, Double ttftP50Ms,
    Double ttftP99Ms, Double tpotP50Ms, Double imagesPerS, Double tokensPerS, String verdict, String slo) {}
