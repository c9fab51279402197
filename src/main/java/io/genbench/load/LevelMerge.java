package io.genbench.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One level's records from several generators, merged into one {@link LevelRun} whose every figure is then computed
 * from the union of the raw records (never from the generators' own percentiles). Each generator's stamps are relative
 * to the level's agreed start; here they are placed at {@link #BASE_NS} + that value, one time base for all. The merged
 * run's generator CPU is the busiest generator's (validity asks whether any was saturated) and its transport is native
 * only when every generator's was. Whatever went wrong with a generator becomes a problem, which makes the level
 * INVALID: it failed, its log ended before its last line, records went missing, or it was ready only after the start.
 */
public final class LevelMerge {
  /** Where the agreed start is placed: far from 0, which in a record means a stamp that never came. */
  public static final long BASE_NS = 1_000_000_000_000L;

  private final int target;
  private final String url;
  private final int levelIndex;
  private final Level level;
  private final int generators;
  private final Consumer<String> log;
  private final List<List<RequestRecord>> records = new ArrayList<>();
  private final RecordLines.Hello[] hellos;
  private final RecordLines.Done[] dones;
  private final String[] failures;
  private final String[] protocolErrors;

  /** The merged level and what makes it INVALID (empty when nothing). */
  public record Merged(LevelRun run, List<String> problems) {}

  /** A merge of {@code generators} generators' lines for level {@code levelIndex}; other lines go to {@code log}. */
  public LevelMerge(int target, String url, int levelIndex, Level level, int generators, Consumer<String> log) {
    this.target = target;
    this.url = url;
    this.levelIndex = levelIndex;
    this.level = level;
    this.generators = generators;
    this.log = log;
    for (int g = 0; g < generators; g++) records.add(new ArrayList<>());
    hellos = new RecordLines.Hello[generators];
    dones = new RecordLines.Done[generators];
    failures = new String[generators];
    protocolErrors = new String[generators];
  }

  /** One line of generator {@code g}'s output. */
  public synchronized void line(int g, String line) {
    if (g < 0 || g >= generators) throw new IllegalArgumentException("no generator " + g + " of " + generators);
    RecordLines.Parsed p;
    try {
      p = RecordLines.parse(line, BASE_NS, target, levelIndex);
    } catch (IllegalArgumentException e) {
      if (protocolErrors[g] == null) protocolErrors[g] = e.getMessage();
      return;
    }
    switch (p) {
      case null -> log.accept("generator " + name(g) + ": " + line);
      case RecordLines.Parsed.HelloLine h -> hellos[g] = h.hello();
      case RecordLines.Parsed.RecordLine r -> records.get(g).add(r.record());
      case RecordLines.Parsed.DoneLine d -> dones[g] = d.done();
    }
  }

  /** Generator {@code g} did not end well: {@code why}. */
  public synchronized void failed(int g, String why) {
    failures[g] = why;
  }

  public synchronized Merged merged() {
    List<String> problems = new ArrayList<>();
    List<RequestRecord> all = new ArrayList<>();
    double cpu = Double.NaN;
    boolean nativeTransport = true;
    long end = 0;
    for (int g = 0; g < generators; g++) {
      all.addAll(records.get(g));
      String who = "generator " + name(g);
      if (failures[g] != null) problems.add(who + " failed: " + failures[g]);
      if (protocolErrors[g] != null) problems.add(who + " printed " + protocolErrors[g]);
      RecordLines.Hello hello = hellos[g];
      if (hello == null) {
        if (failures[g] == null) problems.add(who + " printed no hello line: it never ran its share");
      } else if (hello.generator() != g || hello.generators() != generators || hello.target() != target || hello.level() != levelIndex) {
        problems.add(who + " says it is generator " + hello.generator() + "/" + hello.generators() + " of level " + hello.level()
            + " against target " + hello.target() + ": its records are not this level's");
      } else if (hello.leadNs() < 0) {
        problems.add(who + " was ready " + seconds(-hello.leadNs()) + " after the level's agreed start, so its first requests"
            + " left late; raise --generator-lead");
      }
      RecordLines.Done done = dones[g];
      if (done == null) {
        if (failures[g] == null && hello != null) problems.add(who + "'s output ended before its done line: its records are incomplete");
        nativeTransport = false;
        for (RequestRecord r : records.get(g)) end = Math.max(end, r.doneNs() - BASE_NS);
        continue;
      }
      if (done.records() != records.get(g).size()) {
        problems.add(who + " printed " + done.records() + " records but " + records.get(g).size() + " arrived");
      }
      if (Double.isFinite(done.generatorCpu())) cpu = Double.isNaN(cpu) ? done.generatorCpu() : Math.max(cpu, done.generatorCpu());
      nativeTransport &= done.nativeTransport() || done.records() == 0;
      end = Math.max(end, done.endNs());
    }
    all.sort(Comparator.comparingLong(RequestRecord::doneNs));
    return new Merged(new LevelRun(target, url, levelIndex, level, BASE_NS, BASE_NS + end, cpu, nativeTransport, List.copyOf(all)),
        List.copyOf(problems));
  }

  private String name(int g) {
    return g + "/" + generators;
  }

  private static String seconds(long ns) {
    return String.format(java.util.Locale.ROOT, "%.3f s", ns / 1e9);
  }
}
