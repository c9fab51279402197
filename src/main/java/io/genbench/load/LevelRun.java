package io.genbench.load;

import java.util.List;

/**
 * One load level as it ran against one target: its raw records (warm-up included, flagged) and the generator's own
 * measurements.
 *
 * @param target index of the target URL
 * @param url the target URL
 * @param levelIndex index of the level in the profile
 * @param level the level
 * @param startNs the level's time zero (the first request's schedule)
 * @param endNs when its last request finished or was abandoned
 * @param generatorCpu the generator process's CPU time over the level divided by wall time × cores, 0..1; NaN where the
 *     runtime cannot measure it (no jdk.management)
 * @param nativeTransport whether Netty ran on native epoll
 * @param records every request, in completion order
 */
public record LevelRun(int target, String url, int levelIndex, Level level, long startNs, long endNs, double generatorCpu,
    boolean nativeTransport, List<RequestRecord> records) {}
