package io.genbench.capacity;

import java.util.List;

/**
 * What the capacity search found.
 *
 * @param slo the objective searched under
 * @param lastPassingRate the maximum sustainable rate: the highest rate whose level passed (and, when {@code replicated},
 *     passed again), requests/s; null when no rate passed
 * @param firstFailingRate the lowest rate above it whose level failed the SLO, or null
 * @param firstInvalidRate the lowest rate above it the generator could not drive (INVALID), or null
 * @param binding what stopped the rate from going higher
 * @param replicated the answer passed twice
 * @param atAnswer the figures of the answer's (latest) passing level, or null when no rate passed
 * @param resolution the bracket width the search aimed for at the answer, requests/s
 * @param stop why the search ended
 * @param notes what else a reader should know (a failed replicate, a budget reached), one sentence each
 * @param levels every level run, in order
 */
public record CapacityResult(Slo slo, Double lastPassingRate, Double firstFailingRate, Double firstInvalidRate, Binding binding,
    boolean replicated, LevelFigures atAnswer, double resolution, Stop stop, List<String> notes, List<ProbedLevel> levels) {

  public CapacityResult {
    notes = List.copyOf(notes);
    levels = List.copyOf(levels);
  }

  /** Why the search ended. */
  public enum Stop {
    /** the bracket is within the resolution and the answer was replicated (or stepped down) */
    CONVERGED("converged"),
    /** the maximum number of levels was run */
    MAX_LEVELS("level limit reached"),
    /** the time budget was spent */
    MAX_TIME("time limit reached"),
    /** the maximum rate passed */
    MAX_RATE("maximum rate reached"),
    /** no rate down to the minimum passed */
    MIN_RATE("nothing passed down to the minimum rate");

    private final String label;

    Stop(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** Requests meeting every SLO per second at the answer, or null. */
  public Double goodput() {
    return atAnswer == null ? null : atAnswer.goodput();
  }

  /** Images per second at the answer, or null (none, or no answer). */
  public Double imagesPerSecond() {
    return atAnswer == null || atAnswer.imagesPerSecond() == 0 ? null : atAnswer.imagesPerSecond();
  }

  /** Output tokens per second at the answer, or null (none, or no answer). */
  public Double tokensPerSecond() {
    return atAnswer == null || atAnswer.tokensPerSecond() == 0 ? null : atAnswer.tokensPerSecond();
  }

  /** A rate for people: 4 significant digits, e.g. {@code 0.3725 req/s}, {@code 1801 req/s}. */
  static String rate(double r) {
    return Units.decimal(r, 4) + " req/s";
  }
}
