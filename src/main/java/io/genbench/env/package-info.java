/**
 * What the run ran on: {@link io.genbench.env.Environment} captures it into {@code environment.json}. Imports only
 * {@code Json} and execute's host probes ({@code HostCommand}, {@code HostInfo}); {@code ImportRulesTest} checks it.
 */
package io.genbench.env;
