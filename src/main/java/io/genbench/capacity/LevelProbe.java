package io.genbench.capacity;

/**
 * Runs one load level at a rate and measures it: the load engine's side of {@link CapacitySearch}. A level should last
 * at least {@link LevelValidity.Rules#minimumSecondsAt(double)} so that it can be VALID, and count goodput against the
 * search's SLO: {@code LevelFigures.of(requests, facts, search.slo())}.
 */
@FunctionalInterface
public interface LevelProbe {
  /** Offers {@code rate} requests/s (open loop, after its warm-up) and returns the level's figures. */
  LevelFigures run(double rate);
}
