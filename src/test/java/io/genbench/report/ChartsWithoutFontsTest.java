package io.genbench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Charts on a machine without fonts (a GPU server, a container), where the JDK's fontconfig lookup fails with
 * "Fontconfig head is null": {@code genbench report} runs in a child JVM whose fontconfig is pointed at an empty
 * directory and, where this process may ({@code unshare -m}, as root in CI), with the system's font directories hidden
 * behind empty mounts as well.
 */
final class ChartsWithoutFontsTest {
  private static final Path EXAMPLE = Path.of("bench/example-h100-families");
  /** A {@code <text>} element with something to read in it. */
  private static final Pattern TEXT = Pattern.compile("<text[^>]*>[^<]*\\S[^<]*</text>");

  @TempDir
  Path tmp;

  private Path emptyFontconfig;

  @BeforeEach
  void emptyFontconfig() throws IOException {
    Path fonts = Files.createDirectories(tmp.resolve("no-fonts"));
    emptyFontconfig = fonts.resolve("fonts.conf");
    Files.writeString(emptyFontconfig, "<?xml version=\"1.0\"?>\n<fontconfig><dir>" + fonts + "</dir><cachedir>" + fonts.resolve("cache")
        + "</cachedir></fontconfig>\n");
  }

  @Test
  void withoutGenbenchsFontThisMachineCannotMeasureTextAsTheGpuServerCouldNot() throws Exception {
    Output probe = java(true, "io.genbench.chart.SystemFontProbe");

    assertThat(probe.exitCode()).as(probe.text()).isNotZero();
    assertThat(probe.text()).contains("Fontconfig head is null");
  }

  @Test
  void aMachineWithoutFontsDrawsEveryChartWithItsTextAndTheSameSvgAsOneWithFonts() throws Exception {
    Path withFonts = example("with-fonts");
    Path withoutFonts = example("without-fonts");

    Output normal = java(false, "io.genbench.cli.GenBench", "report", withFonts.toString());
    Output fontless = java(true, "io.genbench.cli.GenBench", "report", withoutFonts.toString());

    assertThat(normal.exitCode()).as(normal.text()).isZero();
    assertThat(fontless.exitCode()).as(fontless.text()).isZero();
    Map<String, String> drawn = svgs(withoutFonts.resolve("charts"));
    assertThat(drawn.keySet()).as("the charts of every section, three telemetry charts among them")
        .contains("latency.svg", "steps.svg", "batch.svg", "llm.svg", "cost.svg", "pareto.svg", "telemetry-1.svg", "telemetry-3.svg");
    drawn.forEach((file, svg) -> assertThat(TEXT.matcher(svg).results().count()).as(file + " has its title, axes and labels as text")
        .isGreaterThanOrEqualTo(3));
    assertThat(drawn).isEqualTo(svgs(withFonts.resolve("charts")));
    String md = Files.readString(withoutFonts.resolve("report.md"));
    for (String file : drawn.keySet()) assertThat(md).contains("](charts/" + file + ")");
    assertThat(md).doesNotContain("not drawn").doesNotContain("No chart was drawn").contains("drawn for the first 3 of 4 cases");
  }

  /** A copy of the committed example run, its charts removed, so that a report has to draw them. */
  private Path example(String name) throws IOException {
    Path to = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path from : files.toList()) {
        Path rel = EXAMPLE.relativize(from);
        if (rel.startsWith("charts")) continue;
        if (Files.isDirectory(from)) Files.createDirectories(to.resolve(rel.toString()));
        else Files.copy(from, to.resolve(rel.toString()));
      }
    }
    return to;
  }

  private static Map<String, String> svgs(Path dir) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) return m;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) m.put(f.getFileName().toString(), Files.readString(f));
    }
    return m;
  }

  record Output(int exitCode, String text) {}

  /** Runs {@code mainClass} on this test's class path in a child JVM with a fresh home, without fonts when asked. */
  private Output java(boolean withoutFonts, String mainClass, String... args) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home-" + System.nanoTime()));
    List<String> command = new ArrayList<>();
    if (withoutFonts && canUnshareMounts()) {
      // a private mount namespace: the font directories are empty there, and only there
      command.addAll(List.of("unshare", "-m", "sh", "-c", "for d in /usr/share/fonts /usr/local/share/fonts /etc/fonts;"
          + " do if [ -d $d ]; then mount -t tmpfs none $d || exit 97; fi; done; exec \"$@\"", "sh"));
    }
    command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Duser.home=" + home, "-cp",
        System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("HOME", home.toString());
    env.put("GENBENCH_PRICES", "offline");
    env.put("GENBENCH_PRICE_CACHE", home.resolve("prices").toString());
    env.put("GENBENCH_HISTORY_URL", "jdbc:sqlite:" + home.resolve("history.sqlite"));
    env.remove("JAVA_TOOL_OPTIONS");
    if (withoutFonts) {
      env.put("FONTCONFIG_FILE", emptyFontconfig.toString());
      env.put("FONTCONFIG_PATH", emptyFontconfig.getParent().toString());
    }
    Path log = home.resolve("output.txt");
    Process p = pb.redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("the child JVM did not finish in 120 s: " + command + "\n" + Files.readString(log));
    }
    return new Output(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /** True when this process may make a private mount namespace and mount in it (root, or CAP_SYS_ADMIN). */
  private boolean canUnshareMounts() throws IOException, InterruptedException {
    Path target = Files.createDirectories(tmp.resolve("mount-probe"));
    Process p;
    try {
      p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs none \"$1\"", "sh", target.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return false; // no unshare
    }
    if (p.waitFor(10, TimeUnit.SECONDS)) return p.exitValue() == 0;
    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return false;
  }
}
