/**
 * The host probes: what the run ran on and where. {@link io.genbench.env.Environment} captures it into
 * {@code environment.json}; {@link io.genbench.env.HostCommand} runs a short host command (and kills process trees),
 * {@link io.genbench.env.HostInfo} reads CPU, memory and resident set, {@link io.genbench.env.InstanceMetadata} asks
 * EC2 where this host runs, giving a {@link io.genbench.env.Placement}. Imports nothing of genbench but {@code Json};
 * {@code ImportRulesTest} checks it.
 */
package io.genbench.env;
