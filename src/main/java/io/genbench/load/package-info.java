/**
 * {@code genbench load}: an HTTP load generator for inference endpoints. {@link io.genbench.load.LoadPlan} (what to
 * send, how fast, for how long: CLI options or a strict YAML load plan), {@link io.genbench.load.Profile} (constant,
 * poisson, concurrency, ramp, sweep, trace), {@link io.genbench.load.LoadEngine} (Netty used directly for plain http:// HTTP/1.1,
 * Vert.x's client for https and HTTP/2; native epoll where available) driven by {@link io.genbench.load.LoadRunner}'s scheduler, which sleeps to just before each
 * scheduled time and fires every due request. Each request keeps its stamps (scheduled, fired, sent, first byte,
 * done) in a {@link io.genbench.load.RequestRecord}; figures come only from those raw records
 * ({@link io.genbench.load.LevelFigures}), and {@link io.genbench.load.LoadOutput} writes the run directory. With
 * {@code --executor kubernetes} a level is split over remote generators ({@link io.genbench.load.LoadGenerators}, each
 * its {@link io.genbench.load.GeneratorShare}, run in its pod by {@link io.genbench.load.GeneratorPod}), whose raw records
 * come back as {@link io.genbench.load.RecordLines} and merge into one level ({@link io.genbench.load.LevelMerge}).
 * {@link io.genbench.load.LoadObserver} watches a load as it runs (live metrics); {@link io.genbench.load.LoadComparison}
 * compares two load run directories level by level from their raw records.
 * May import {@code analyze} (nearest-rank percentiles), {@code chart} and {@code capacity} (validity, SLOs,
 * capacity search); nothing else of genbench.
 */
package io.genbench.load;
