package io.genbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret planted in every place one can enter (the history URL as an option, with {@code password=} and with
 * {@code user:pass@}; {@code GENBENCH_HISTORY_URL}; {@code GENBENCH_HISTORY_PASSWORD}; a {@code *_TOKEN} variable;
 * AWS keys) appears in no file of the run directory, nor on stdout or stderr: real embedded-default runs in fresh
 * JVMs, because the environment is the way in.
 */
final class NoSecretOnDiskTest {
  @TempDir
  Path tmp;

  /** Loopback port 1: nothing listens there; each run warns that its history store cannot be reached. */
  private static final String AWAY = "127.0.0.1:1/genbench";

  private static final List<String> SECRETS = List.of("OptPassw0rd", "OptUserInfo9", "EnvUrlPassw0rd", "EnvUserInfo9",
      "EnvPassw0rdOnly", "CiTok3nValue", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY");

  @Test
  void noSecretReachesTheRunDirectoryStdoutOrStderr() throws Exception {
    Path plan = OnnxRun.plan(tmp);
    Map<String, String> env = Map.of("GENBENCH_HISTORY_PASSWORD", "EnvPassw0rdOnly", "CI_JOB_TOKEN", "CiTok3nValue",
        "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY");
    List<String> printed = new ArrayList<>();

    // the option, joined to its value, with both a password parameter and user info
    printed.add(genbench(env, "run", plan.toString(), "--backend", "onnx", "--threads", "1", "--out",
        tmp.resolve("by-option").toString(), "--history-url=jdbc:postgresql://bench:OptUserInfo9@" + AWAY
            + "?user=bench&password=OptPassw0rd&aws_secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"));
    // the environment variable, and the option as two arguments
    Map<String, String> envUrl = new java.util.HashMap<>(env);
    envUrl.put("GENBENCH_HISTORY_URL", "jdbc:postgresql://bench:EnvUserInfo9@" + AWAY + "?password=EnvUrlPassw0rd");
    printed.add(genbench(envUrl, "run", plan.toString(), "--backend", "onnx", "--threads", "1", "--out",
        tmp.resolve("by-env").toString()));
    printed.add(genbench(envUrl, "history", "list"));
    printed.add(genbench(env, "report", tmp.resolve("by-env").toString(), "--history-url",
        "jdbc:postgresql://" + AWAY + "?password=OptPassw0rd&user=AKIAIOSFODNN7EXAMPLE"));

    assertThat(tmp.resolve("by-option").resolve("summary.csv")).isNotEmptyFile();
    assertThat(tmp.resolve("by-env").resolve("summary.csv")).isNotEmptyFile();
    assertThat(printed.get(0)).contains("password=***").contains("bench:***@").contains("aws_secret_access_key=***");
    assertThat(printed.get(1)).contains("bench:***@");
    assertThat(printed.get(3)).contains("user=AKIA***");
    for (String output : printed) {
      for (String secret : SECRETS) assertThat(output).as("printed").doesNotContain(secret);
    }
    List<Path> files;
    try (var walk = Files.walk(tmp)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).extracting(f -> tmp.relativize(f).toString())
        .contains("by-option/environment.json", "by-option/results.json", "by-option/run-options.json", "by-env/report.md");
    for (Path file : files) {
      String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      for (String secret : SECRETS) assertThat(content).as(file.toString()).doesNotContain(secret);
    }
  }

  /** Runs genbench in a fresh JVM with {@code env} added (the test's own history and cache settings removed); stdout and stderr. */
  private String genbench(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Duser.home=" + tmp.resolve("java-home"), "-cp", System.getProperty("java.class.path"), "io.genbench.cli.GenBench"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    pb.environment().remove("GENBENCH_HISTORY_URL");
    pb.environment().remove("GENBENCH_PRICE_CACHE");
    pb.environment().put("HOME", tmp.resolve("home").toString());
    pb.environment().put("GENBENCH_PRICES", "offline");
    pb.environment().putAll(env);
    pb.redirectOutput(tmp.resolve("stdout.txt").toFile()).redirectError(tmp.resolve("stderr.txt").toFile());
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("genbench " + String.join(" ", args) + " did not end within 180 s");
    }
    return Files.readString(tmp.resolve("stdout.txt"), StandardCharsets.UTF_8)
        + Files.readString(tmp.resolve("stderr.txt"), StandardCharsets.UTF_8);
  }
}
