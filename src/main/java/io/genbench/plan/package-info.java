/**
 * The test matrix: modes, models, precisions, resolutions and the plan file. Turns what the user asks for
 * into a validated list of {@link io.genbench.plan.TestCase}s. Imports nothing of genbench but
 * {@link io.genbench.UserError} and {@link io.genbench.Json}.
 */
package io.genbench.plan;
