package io.genbench.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Once per process, before the first level on the Netty engine: runs short levels of the plan itself (its bodies, its
 * response reading, the scheduler's closed loop, its open loop both firing many requests per wake and parking between
 * requests, the engine's timer hand-over) against a server of its own on 127.0.0.1 answering with a real server's headers,
 * in rounds, until the JIT is quiet: after each round it waits until HotSpot's total compilation time stops growing
 * ({@link JitQuiet}), and it stops once a round left little to compile (or at its time bound). Without it the first level
 * of a run carried the JIT's compilations: pinned to one core, its dispatch lag P99 was 1.96 ms at 1,000 req/s and
 * 5.7 ms at 10,000 req/s against 0.07 and 0.24 ms for the same rates run after another level (bench/load-dispatch); one
 * fixed 3.4 s round still left 0.18-1.2 ms (C2 compiles still queued, and paths the round never took: nginx's
 * {@code connection} header, the scheduler parking between requests at 1,000 req/s).
 * {@code -Dgenbench.load.jitWarmUp=false} turns it off.
 */
final class JitWarmUp {
  private static final AtomicBoolean DONE = new AtomicBoolean();
  /** An answer as image endpoints (and generic ones with a pointer under /data) give. */
  private static final byte[] JSON = "{\"data\":[{\"b64_json\":\"aGVsbG8=\"}]}".getBytes(StandardCharsets.US_ASCII);
  /** A stream as OpenAI's completions, chat and image streaming give: two chunks, usage, a completed image, done. */
  private static final byte[] SSE = ("data: {\"choices\":[{\"index\":0,\"text\":\"a\",\"delta\":{\"content\":\"a\"}}]}\n\n"
      + "data: {\"choices\":[{\"index\":0,\"text\":\"b\",\"delta\":{\"content\":\"b\"}}]}\n\n"
      + "data: {\"type\":\"image_generation.completed\",\"b64_json\":\"aGk=\",\"choices\":[],\"usage\":{\"completion_tokens\":2}}\n\n"
      + "data: [DONE]\n\n").getBytes(StandardCharsets.US_ASCII);

  private JitWarmUp() {}

  /**
   * Runs the warm-up unless this process already did (or it is turned off): {@code plan}'s own requests, bodies and
   * response reading, through {@link LoadRunner}'s own levels, in rounds until the JIT is quiet ({@link JitQuiet#DEFAULT});
   * returns the requests it sent.
   */
  static int once(LoadPlan plan, Prompts prompts, Consumer<String> progress) {
    return once(plan, prompts, progress, JitQuiet.DEFAULT.withMaxS(System.getProperty("genbench.load.jitWarmUpMaxS")));
  }

  /** As {@link #once(LoadPlan, Prompts, Consumer)}, with {@code bounds}' rounds and time bound. */
  static int once(LoadPlan plan, Prompts prompts, Consumer<String> progress, JitQuiet bounds) {
    if (!Boolean.parseBoolean(System.getProperty("genbench.load.jitWarmUp", "true")) || !DONE.compareAndSet(false, true)) return 0;
    JitQuiet.Result r = bounds.warm(() -> run(plan, prompts, bounds.closedNs(), bounds.openNs(), bounds.openNs()),
        JitQuiet.hotSpotCompileMs(), LoadClock.SYSTEM, JitQuiet::sleep);
    progress.accept(String.format(Locale.ROOT, "load engine warmed up: %,d requests to an in-process server in %d round%s,"
        + " %.1f s; compile time per round %s ms (%s; once per process, so the JIT's compilations do not fall into the"
        + " first level)", r.sent(), r.compileMs().size(), r.compileMs().size() == 1 ? "" : "s", r.elapsedNs() / 1e9,
        r.compileMs(), r.why()));
    return r.sent();
  }

  /**
   * A closed-loop level of {@code closedNs}, an open-loop one at 10,000 req/s (many requests per scheduler wake) of
   * {@code fastNs}, then one at 1,000 req/s (the scheduler parks between requests) of {@code slowNs}; the requests sent.
   */
  static int run(LoadPlan plan, Prompts prompts, long closedNs, long fastNs, long slowNs) {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    int sent = 0;
    try {
      boolean sse = plan.partialImages() != null || plan.parsedApi().tokens() && plan.stream();
      Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new Answer(sse ? SSE : JSON));
            }
          }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      String path = java.net.URI.create(plan.targets().get(0)).getRawPath();
      int connections = Math.max(16, plan.connections() == null ? 16 : plan.connections());
      LoadPlan local = new LoadPlan(java.util.List.of("http://127.0.0.1:" + port + (path == null || path.isEmpty() ? "/" : path)),
          plan.api(), "concurrency 16", plan.durationS(), null, 0.0, 0, null, plan.prompt(), plan.promptsFile(), plan.seed(),
          connections, false, 10.0, plan.model(), plan.size(), plan.n(), plan.responseFormat(), plan.maxTokens(), plan.stream(),
          plan.bodyTemplate(), plan.resultPointer(), plan.headers(), null, plan.minDurationS(), plan.minRequests(), plan.maxLevels(),
          plan.partialImages());
      LoadRunner runner = new LoadRunner(local, prompts, LoadClock.SYSTEM, line -> { }).engine(LoadEngine.Kind.NETTY).jitWarmUp();
      sent += runner.runLevel(0, 0, new Level.Closed("jit-warm-up-c16", 16), closedNs).records().size();
      sent += runner.runLevel(0, 1, new Level.Open("jit-warm-up-10000rps", new Arrivals.Constant(10_000)), fastNs).records().size();
      if (slowNs > 0) {
        sent += runner.runLevel(0, 2, new Level.Open("jit-warm-up-1000rps", new Arrivals.Constant(1_000)), slowNs).records().size();
      }
      server.close().sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // a warm-up that cannot run (no loopback?) leaves the JIT cold; the levels still run and judge their own lag
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    return sent;
  }

  private static final String DATE = "Sun, 06 Dec 2026 15:00:00 GMT";

  /** Answers every request with one fixed body, keep-alive. */
  private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
    private final ByteBuf body;
    private final String type;

    Answer(byte[] answer) {
      this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(answer));
      this.type = answer == SSE ? "text/event-stream" : "application/json";
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof LastHttpContent)) return;
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.duplicate());
      // the headers nginx (and most servers) send: their parsing (connection's keep-alive above all) is warmed too
      r.headers().set(HttpHeaderNames.SERVER, "genbench-jit-warm-up").set(HttpHeaderNames.DATE, DATE)
          .set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(r);
    }
  }
}
