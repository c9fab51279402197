package io.genbench.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic single-server FIFO queue with a fixed service time (1 / capacity), simulated, never slept: arrivals
 * evenly spaced (D/D/1) or Poisson from a fixed seed (M/D/1). The Poisson arrivals are the same unit-rate sequence
 * scaled by 1 / rate at every level, so response times grow monotonically with the rate and the SLO's answer has one
 * threshold.
 */
final class SimulatedServer implements LevelProbe {
  final double capacity;
  final int requestsPerLevel;
  final boolean poisson;
  final long seed;
  /** Simulated seconds spent, for a fake clock. */
  double elapsedS;
  int levelsRun;
  /** Goodput is counted against this, as the load engine counts it against the search's SLO. */
  Slo slo = Slo.NONE;

  SimulatedServer(double capacity, int requestsPerLevel, boolean poisson, long seed) {
    this.capacity = capacity;
    this.requestsPerLevel = requestsPerLevel;
    this.poisson = poisson;
    this.seed = seed;
  }

  static SimulatedServer evenArrivals(double capacity, int requestsPerLevel) {
    return new SimulatedServer(capacity, requestsPerLevel, false, 0);
  }

  SimulatedServer countingGoodputAgainst(Slo slo) {
    this.slo = slo;
    return this;
  }

  static SimulatedServer poissonArrivals(double capacity, int requestsPerLevel, long seed) {
    return new SimulatedServer(capacity, requestsPerLevel, true, seed);
  }

  @Override
  public LevelFigures run(double rate) {
    levelsRun++;
    double service = 1 / capacity;
    Random random = new Random(seed);
    double unitTime = 0;
    double free = 0;
    double lastArrival = 0;
    List<RequestTimes> requests = new ArrayList<>();
    for (int i = 0; i < requestsPerLevel; i++) {
      unitTime += poisson ? -Math.log(1 - random.nextDouble()) : 1;
      double arrival = unitTime / rate;
      double start = Math.max(arrival, free);
      free = start + service;
      requests.add(RequestTimes.image(free - arrival, free - arrival, 1));
      lastArrival = arrival;
    }
    double duration = poisson ? lastArrival : requestsPerLevel / rate;
    elapsedS += duration;
    return LevelFigures.of(requests, new LevelFacts(rate, duration, 0.0001, 0.1), slo);
  }

  /** D/D/1: the largest rate whose nearest-rank P{@code p} response time is at most {@code bound}. */
  double evenArrivalsMaxRate(double p, double bound) {
    double service = 1 / capacity;
    int k = (int) Math.ceil(p * requestsPerLevel); // response_i = D + i (D − 1/λ), i = 0..n−1; P_p is i = k − 1
    return 1 / (service - (bound - service) / (k - 1));
  }
}
