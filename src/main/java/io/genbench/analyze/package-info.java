/**
 * Numbers from raw samples: {@link io.genbench.analyze.LatencySummary} (nearest-rank percentiles) and
 * {@link io.genbench.analyze.Verdict} (is this measurement trustworthy?). Imports nothing of genbench.
 */
package io.genbench.analyze;
