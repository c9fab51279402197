package io.genbench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import io.genbench.env.HostCommand;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a {@link Launch}, appends rank 0's event lines to {@code suite.jsonl} as they arrive (the raw record) and
 * everything else (stderr of every rank and of the launcher, stray stdout) to {@code suite.log}. A launch past its
 * timeout has its whole process tree killed.
 */
public final class Launcher {
  private Launcher() {}

  /**
   * @param exitCode the launcher's exit code (-1 when killed)
   * @param timedOut killed after the timeout
   * @param events the JSON event lines rank 0 wrote, in order
   */
  public record Outcome(int exitCode, boolean timedOut, List<ObjectNode> events) {}

  public static Outcome run(Launch launch, Path eventLog, Path log) {
    int port = freeLoopbackPort();
    List<String> command = launch.command(port);
    ObjectNode start = Json.MAPPER.createObjectNode().put("type", "launch").put("processes", launch.processes())
        .put("experiment", launch.experiment().label());
    start.putArray("command").addAll(command.stream().map(Json.MAPPER.getNodeFactory()::textNode).toList());
    append(eventLog, start.toString());
    List<ObjectNode> events = new ArrayList<>();
    int exit;
    boolean timedOut = false;
    try {
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(launch.environment(System.getenv("PYTHONPATH")));
      Process p = pb.start();
      Thread reader = Thread.ofPlatform().daemon().start(() -> drain(p, eventLog, log, events));
      if (!p.waitFor(launch.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        timedOut = true;
        HostCommand.killTree(p);
        p.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
      exit = timedOut ? -1 : p.exitValue();
    } catch (IOException e) {
      append(log, "cannot start " + command.get(0) + ": " + e.getMessage());
      exit = 127;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exit = -1;
    }
    ObjectNode end = Json.MAPPER.createObjectNode().put("type", "exit").put("processes", launch.processes())
        .put("exit_code", exit).put("timed_out", timedOut);
    append(eventLog, end.toString());
    synchronized (events) {
      return new Outcome(exit, timedOut, List.copyOf(events));
    }
  }

  // drain stdout in its own thread, else a full pipe would stall rank 0
  private static void drain(Process p, Path eventLog, Path log, List<ObjectNode> events) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter out = Files.newBufferedWriter(eventLog, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        ObjectNode event = parse(line);
        if (event == null) {
          append(log, "stdout: " + line);
          continue;
        }
        out.write(line);
        out.newLine();
        out.flush();
        synchronized (events) {
          events.add(event);
        }
      }
    } catch (IOException e) {
      append(log, "reading the worker's stdout failed: " + e.getMessage());
    }
  }

  static ObjectNode parse(String line) {
    if (!line.startsWith("{")) return null;
    try {
      JsonNode n = Json.MAPPER.readTree(line);
      return n instanceof ObjectNode o && o.hasNonNull("type") ? o : null;
    } catch (IOException e) {
      return null;
    }
  }

  static synchronized void append(Path file, String line) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** A port free on loopback now (the launcher binds it moments later; a race another process rarely wins). */
  static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
