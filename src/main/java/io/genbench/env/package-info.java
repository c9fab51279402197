/** What the run ran on: {@link io.genbench.env.Environment} captures it into {@code environment.json}. */
package io.genbench.env;
