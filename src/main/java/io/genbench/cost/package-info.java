/**
 * Prices and cost: {@link io.genbench.cost.PriceSource} (where hourly prices come from, with their source and
 * date), {@link io.genbench.cost.CostModel} (USD per 1000 images). Opens the price book of the options ({@link io.genbench.cost.PriceSettings}). Imports nothing of genbench but the root's
 * UserError, Json and Durations.
 */
package io.genbench.cost;
