/**
 * Prices and cost: {@link io.genbench.cost.PriceSource} (where hourly prices come from, with their source and
 * date), {@link io.genbench.cost.CostModel} (USD per 1000 images). Imports nothing of genbench but UserError and Json.
 */
package io.genbench.cost;
