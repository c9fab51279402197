package io.genbench.capacity;

/**
 * What the load engine knows of a level besides its requests.
 *
 * @param offeredRate the rate the schedule asked for, requests/s (> 0), or null for a closed loop (no rate offered;
 *     achieved-versus-offered is then not judged)
 * @param durationS the measured window, seconds (> 0): an open loop's n scheduled arrivals after warm-up span n − 1
 *     gaps, and the window is that span and one mean gap more (n arrivals at rate r read r); a closed loop's runs
 *     from its first scheduled request to its last answer (rates are requests in this window)
 * @param dispatchLagP99S P99 of sent − scheduled, seconds (≥ 0): how late the <em>generator</em> fired. An engine that
 *     waits for a free connection before the send should pass the lag without that wait (a busy server fills the
 *     connections; that is the server's overload, judged by the SLO, not the generator's)
 * @param generatorCpuFraction the generator process's CPU time over the level / (wall time × cores), 0–1, measured by
 *     {@link CpuMeter}; NaN when not measured
 */
public record LevelFacts(Double offeredRate, double durationS, double dispatchLagP99S, double generatorCpuFraction) {
  public LevelFacts {
    if (offeredRate != null && !(offeredRate > 0)) throw new IllegalArgumentException("offeredRate must be > 0, was " + offeredRate);
    if (!(durationS > 0)) throw new IllegalArgumentException("durationS must be > 0, was " + durationS);
    if (!(dispatchLagP99S >= 0)) throw new IllegalArgumentException("dispatchLagP99S must be >= 0, was " + dispatchLagP99S);
  }
}
