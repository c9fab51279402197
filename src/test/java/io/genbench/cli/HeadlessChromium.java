package io.genbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium, driven over the Chrome DevTools Protocol (CDP) on a loopback WebSocket (the JDK's own
 * client), to open a report the way a person does and see what the page did.
 *
 * <p>What a page did wrong is seen two ways, so one blind spot of either cannot hide it:
 * <ul>
 *   <li><b>CDP events</b> of the page's tab: {@code Runtime.consoleAPICalled} of type error or assert,
 *       {@code Runtime.exceptionThrown} (an uncaught exception), {@code Log.entryAdded} at level error (what the
 *       browser itself logs: a blocked or failed load, a Content-Security-Policy violation), and
 *       {@code Network.requestWillBeSent} for any URL but the page's own file (an image, a script, a font, a fetch).
 *   <li><b>A proxy that refuses everything</b>: each page opens in a browser context of its own (as an incognito
 *       window is) whose proxy is a listener on 127.0.0.1 that records every connection and closes it, with
 *       {@code <-loopback>} so not even loopback addresses are fetched directly. A request that escaped CDP's view
 *       still reaches the listener and is counted; nothing leaves the machine, and no name is resolved.
 * </ul>
 * Chromium's own background traffic is cut down by flags ({@code --disable-background-networking},
 * {@code --disable-component-update}, {@code --disable-sync}, {@code --no-first-run}, ...) and a throwaway profile,
 * but not to nothing: Chromium 156 still lists the profile's Google accounts and asks for an on-demand component a
 * few seconds after it starts, and no flag stops either. That traffic is the browser's, not the page's, so it goes to
 * a second refusing listener (Chromium's {@code --proxy-server}), kept apart and never out: a connection to the
 * page's listener is the page's. Every wait is bounded: a stuck browser fails the test, it never hangs it.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final ServerSocket proxy;
  private final List<String> proxied;
  private final ServerSocket background;
  private final List<String> backgroundLog;
  private final List<String> stderr;
  private WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Map<String, List<JsonNode>> eventsBySession = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> loadedBySession = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** The Chromium to use: {@code $GENBENCH_CHROMIUM}, else {@code chromium}, {@code chromium-browser} on PATH. */
  static Optional<Path> find() {
    String set = System.getenv("GENBENCH_CHROMIUM");
    if (set != null && !set.isBlank()) return Optional.of(Path.of(set));
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private HeadlessChromium(Process process, ServerSocket proxy, List<String> proxied, ServerSocket background,
      List<String> backgroundLog, List<String> stderr) {
    this.process = process;
    this.proxy = proxy;
    this.proxied = proxied;
    this.background = background;
    this.backgroundLog = backgroundLog;
    this.stderr = stderr;
  }

  /** Starts Chromium with a fresh profile under {@code profile} and connects to it. */
  static HeadlessChromium start(Path binary, Path profile) throws Exception {
    ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    List<String> proxied = Collections.synchronizedList(new ArrayList<>());
    Thread.ofVirtual().start(() -> refuseAll(proxy, proxied));
    ServerSocket background = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    List<String> backgroundLog = Collections.synchronizedList(new ArrayList<>());
    Thread.ofVirtual().start(() -> refuseAll(background, backgroundLog));
    List<String> command = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--no-default-browser-check", "--disable-default-apps", "--disable-extensions", "--disable-breakpad",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,"
            + "CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying",
        "--mute-audio", "--hide-scrollbars", "--user-data-dir=" + profile,
        "--proxy-server=http://127.0.0.1:" + background.getLocalPort(), "--proxy-bypass-list=<-loopback>",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank");
    Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> drain(process.getErrorStream(), stderr, endpoint));
    String url;
    try {
      url = endpoint.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      proxy.close();
      background.close();
      throw new IllegalStateException("Chromium did not start (" + binary + "): " + String.join("\n", stderr), e);
    }
    HeadlessChromium chromium = new HeadlessChromium(process, proxy, proxied, background, backgroundLog, stderr);
    try {
      chromium.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT)
          .buildAsync(URI.create(url), new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
              message.append(data);
              if (last) {
                chromium.receive(message.toString());
                message.setLength(0);
              }
              ws.request(1);
              return null;
            }
          }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      chromium.close();
      throw e;
    }
    return chromium;
  }

  /** Every connection pages made to their refusing proxy: the first line of each ("GET http://host/x HTTP/1.1"). */
  List<String> proxied() {
    synchronized (proxied) {
      return List.copyOf(proxied);
    }
  }

  /** Connections of Chromium's own (its --proxy-server), refused too: for diagnosis only, they are not the page's. */
  List<String> background() {
    synchronized (backgroundLog) {
      return List.copyOf(backgroundLog);
    }
  }

  /** What one page did: its problems (console errors, exceptions, browser errors, requests) in the order they came. */
  record PageReport(String url, List<String> consoleErrors, List<String> requests) {
    boolean clean() {
      return consoleErrors.isEmpty() && requests.isEmpty();
    }

    @Override
    public String toString() {
      return url + ": console errors " + consoleErrors + ", requests " + requests;
    }
  }

  /** A tab with a page loaded in it. */
  final class Tab implements AutoCloseable {
    private final String context;
    private final String targetId;
    private final String session;
    private final String url;

    private Tab(String context, String targetId, String session, String url) {
      this.context = context;
      this.targetId = targetId;
      this.session = session;
      this.url = url;
    }

    /** The page's problems so far. */
    PageReport report() {
      List<String> errors = new ArrayList<>();
      List<String> requests = new ArrayList<>();
      for (JsonNode e : List.copyOf(eventsBySession.getOrDefault(session, List.of()))) {
        JsonNode p = e.path("params");
        switch (e.path("method").asText()) {
          case "Runtime.consoleAPICalled" -> {
            String type = p.path("type").asText();
            if (type.equals("error") || type.equals("assert")) errors.add("console." + type + ": " + args(p.path("args")));
          }
          case "Runtime.exceptionThrown" -> errors.add("uncaught: " + p.path("exceptionDetails").path("exception")
              .path("description").asText(p.path("exceptionDetails").path("text").asText()));
          case "Log.entryAdded" -> {
            JsonNode entry = p.path("entry");
            if (entry.path("level").asText().equals("error")) errors.add("browser " + entry.path("source").asText() + ": "
                + entry.path("text").asText() + (entry.hasNonNull("url") ? " (" + entry.path("url").asText() + ")" : ""));
          }
          case "Network.requestWillBeSent" -> {
            String requested = p.path("request").path("url").asText();
            if (!requested.equals(url)) requests.add(requested);
          }
          default -> { }
        }
      }
      return new PageReport(url, errors, requests);
    }

    /** Evaluates a JavaScript expression in the page (awaiting a promise) and returns its value as JSON. */
    JsonNode evaluate(String expression) {
      JsonNode r = call(session, "Runtime.evaluate", Json.MAPPER.createObjectNode().put("expression", expression)
          .put("awaitPromise", true).put("returnByValue", true));
      if (r.has("exceptionDetails")) throw new IllegalStateException("script failed: " + r.path("exceptionDetails"));
      return r.path("result").path("value");
    }

    /** Resizes the window (CSS px, scale 1) and waits two frames for the layout. */
    void resize(int width, int height) {
      call(session, "Emulation.setDeviceMetricsOverride", Json.MAPPER.createObjectNode().put("width", width)
          .put("height", height).put("deviceScaleFactor", 1).put("mobile", false));
      settle();
    }

    /** The visible part of the page as PNG. */
    void screenshot(Path png) throws IOException {
      JsonNode r = call(session, "Page.captureScreenshot", Json.MAPPER.createObjectNode().put("format", "png"));
      Files.createDirectories(png.toAbsolutePath().getParent());
      Files.write(png, Base64.getDecoder().decode(r.path("data").asText()));
    }

    private void settle() {
      evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))"
          + ".then(() => true)");
    }

    @Override
    public void close() {
      call(null, "Target.closeTarget", Json.MAPPER.createObjectNode().put("targetId", targetId));
      call(null, "Target.disposeBrowserContext", Json.MAPPER.createObjectNode().put("browserContextId", context));
    }
  }

  /**
   * Opens {@code file} in a new tab of {@code width} × {@code height} CSS px, every problem watched from before the
   * first byte, and returns once it has loaded and drawn.
   */
  Tab open(Path file, int width, int height) {
    String url = file.toUri().toString();
    String context = call(null, "Target.createBrowserContext", Json.MAPPER.createObjectNode()
        .put("proxyServer", "http://127.0.0.1:" + proxy.getLocalPort()).put("proxyBypassList", "<-loopback>"))
        .path("browserContextId").asText();
    JsonNode target = call(null, "Target.createTarget", Json.MAPPER.createObjectNode().put("url", "about:blank")
        .put("browserContextId", context));
    String targetId = target.path("targetId").asText();
    String session = call(null, "Target.attachToTarget", Json.MAPPER.createObjectNode().put("targetId", targetId)
        .put("flatten", true)).path("sessionId").asText();
    eventsBySession.put(session, Collections.synchronizedList(new ArrayList<>()));
    for (String domain : List.of("Runtime", "Log", "Network", "Page")) call(session, domain + ".enable", Json.MAPPER.createObjectNode());
    Tab tab = new Tab(context, targetId, session, url);
    call(session, "Emulation.setDeviceMetricsOverride", Json.MAPPER.createObjectNode().put("width", width)
        .put("height", height).put("deviceScaleFactor", 1).put("mobile", false));
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    loadedBySession.put(session, loaded);
    JsonNode nav = call(session, "Page.navigate", Json.MAPPER.createObjectNode().put("url", url));
    if (nav.hasNonNull("errorText")) throw new IllegalStateException("cannot open " + url + ": " + nav.path("errorText").asText());
    try {
      loaded.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("page did not load within " + WAIT.toSeconds() + " s: " + url, e);
    }
    tab.settle();
    return tab;
  }

  private static String args(JsonNode args) {
    List<String> out = new ArrayList<>();
    for (JsonNode a : args) out.add(a.has("value") ? a.path("value").asText() : a.path("description").asText(a.path("type").asText()));
    return String.join(" ", out);
  }

  private JsonNode call(String session, String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    ObjectNode message = Json.MAPPER.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    if (session != null) message.put("sessionId", session);
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    try {
      socket.sendText(Json.MAPPER.writeValueAsString(message), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      JsonNode r = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (r.has("error")) throw new IllegalStateException(method + " failed: " + r.path("error"));
      return r.path("result");
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(method + " got no answer within " + WAIT.toSeconds() + " s; Chromium said: "
          + String.join("\n", stderr.subList(Math.max(0, stderr.size() - 20), stderr.size())), e);
    } finally {
      pending.remove(id);
    }
  }

  private void receive(String text) {
    JsonNode m;
    try {
      m = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      return;
    }
    if (m.has("id")) {
      CompletableFuture<JsonNode> f = pending.get(m.path("id").asInt());
      if (f != null) f.complete(m);
      return;
    }
    String session = m.path("sessionId").asText(null);
    if (session == null) return;
    List<JsonNode> events = eventsBySession.get(session);
    if (events != null) events.add(m);
    if (m.path("method").asText().equals("Page.loadEventFired")) {
      CompletableFuture<Void> loaded = loadedBySession.get(session);
      if (loaded != null) loaded.complete(null);
    }
  }

  /** The proxy: records the first line of every connection and closes it, so nothing is ever fetched. */
  private static void refuseAll(ServerSocket proxy, List<String> log) {
    while (!proxy.isClosed()) {
      try (Socket s = proxy.accept()) {
        s.setSoTimeout(2000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String first;
        try {
          first = in.readLine();
        } catch (IOException e) {
          first = "(no request line)";
        }
        log.add(first == null ? "(empty connection)" : first);
      } catch (IOException e) {
        // closed: the browser is gone
      }
    }
  }

  private static void drain(InputStream err, List<String> lines, CompletableFuture<String> endpoint) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        if (lines.size() > 200) lines.remove(0);
        Matcher m = DEVTOOLS.matcher(line);
        if (m.find()) endpoint.complete(m.group(1));
      }
    } catch (IOException e) {
      // the process ended
    }
    endpoint.completeExceptionally(new IllegalStateException("Chromium exited before it listened"));
  }

  @Override
  public void close() throws Exception {
    try {
      if (socket != null) socket.sendText("{\"id\":0,\"method\":\"Browser.close\"}", true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // destroyed below either way
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (socket != null) socket.abort();
    proxy.close();
    background.close();
  }
}
