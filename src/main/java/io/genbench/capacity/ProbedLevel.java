package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One level the search ran, in order.
 *
 * @param index 1-based position in the search
 * @param phase why it was run
 * @param rate the offered rate, requests/s
 */
public record ProbedLevel(int index, Phase phase, double rate, LevelFigures figures, LevelValidity validity, SloCheck check) {

  /** Why a level was run. */
  public enum Phase {
    /** from the start rate, doubling or halving until the SLO changes its answer */
    BRACKET("bracket"),
    /** halfway between the last pass and the first fail */
    BISECT("bisect"),
    /** the same rate again after an INVALID level */
    RETRY("retry"),
    /** the answer again: a capacity that passes once may have been lucky */
    REPLICATE("replicate"),
    /** below an answer whose replicate did not pass */
    STEP_DOWN("step down");

    private final String label;

    Phase(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** What a level says of the SLO. */
  public enum Outcome {
    PASS, FAIL,
    /** the generator did not drive the level as asked: neither a pass nor a fail */
    INVALID
  }

  @JsonProperty("outcome")
  public Outcome outcome() {
    if (!validity.valid()) return Outcome.INVALID;
    return check.pass() ? Outcome.PASS : Outcome.FAIL;
  }
}
