/**
 * Capacity under a service-level objective: one request's figures ({@link io.genbench.capacity.RequestTimes}), one
 * load level's figures ({@link io.genbench.capacity.LevelFigures}) and whether the generator could drive it
 * ({@link io.genbench.capacity.LevelValidity}, as MLPerf LoadGen judges), the {@code --slo} grammar
 * ({@link io.genbench.capacity.Slo}), the search for the maximum sustainable rate
 * ({@link io.genbench.capacity.CapacitySearch}) and its cost ({@link io.genbench.capacity.CapacityCost}).
 *
 * <p>It knows nothing of HTTP or of the load engine: the engine runs a level through a
 * {@link io.genbench.capacity.LevelProbe} and hands back figures. Imports nothing of genbench but UserError, Json,
 * {@code analyze} and {@code cost}.
 */
package io.genbench.capacity;
