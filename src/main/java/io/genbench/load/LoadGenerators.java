package io.genbench.load;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Load generators on other machines ({@code --executor kubernetes}: one pod each), as {@link LoadSession} drives them: it
 * hands over the plan's files once, then runs every level on all of them at an agreed wall-clock start and reads their
 * {@link RecordLines}. Implemented outside this package (cli adapts {@code io.genbench.execute.kubernetes}).
 */
public interface LoadGenerators extends AutoCloseable {
  /** How many generators share each level. */
  int count();

  /** How far after a level's launch its agreed start is: time for every pod to be scheduled, pulled and started. */
  Duration lead();

  /** Hands {@code files} ({@link GeneratorPod#files}) to every later generator, under their names. */
  void publish(Map<String, String> files);

  /**
   * Runs level {@code level} ({@code whole}) of target {@code target} on every generator, all starting at {@code start},
   * and waits until each has ended. Every line a generator prints goes to {@code lines}, in its order, tagged with the
   * generator's number (several generators' lines may come at once). Returns, per generator, null when it ended well,
   * else why it did not (e.g. its pod's exit code, its Job's deadline, Kubernetes' refusal).
   */
  List<String> runLevel(int target, int level, Level whole, Instant start, Lines lines);

  /** Where each generator's output lines go. */
  @FunctionalInterface
  interface Lines {
    void line(int generator, String line);
  }

  /** Removes what the generators left (their Jobs and the files). */
  @Override
  void close();
}
