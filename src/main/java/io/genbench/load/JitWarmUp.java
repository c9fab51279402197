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
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Once per process, before the first level on the Netty engine: runs two short levels of the plan itself (its
 * bodies, its response reading, the scheduler's closed and open loops, the engine's timer hand-over) against a server of
 * its own on 127.0.0.1, so the JIT has compiled them before the first level starts. Without it the first level of a run carried the JIT's
 * compilations: pinned to one core, its dispatch lag P99 was 1.96 ms at 1,000 req/s and 5.7 ms at 10,000 req/s against
 * 0.07 and 0.24 ms for the same rates run after another level (bench/load-dispatch). Nothing reaches the target.
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
   * response reading, through {@link LoadRunner}'s own levels (a closed loop of 16 users, then 10,000 req/s open loop),
   * against an in-process server answering as the plan's API does; returns the requests it sent.
   */
  static int once(LoadPlan plan, Prompts prompts, Consumer<String> progress) {
    if (!Boolean.parseBoolean(System.getProperty("genbench.load.jitWarmUp", "true")) || !DONE.compareAndSet(false, true)) return 0;
    long t0 = System.nanoTime();
    int sent = run(plan, prompts, 1_500_000_000L, 1_500_000_000L);
    progress.accept(String.format(java.util.Locale.ROOT, "load engine warmed up: %,d requests to an in-process server in %.1f s"
        + " (once per process, so the JIT's compilations do not fall into the first level)", sent, (System.nanoTime() - t0) / 1e9));
    return sent;
  }

  /** A closed-loop level of {@code closedNs}, then an open-loop one of {@code openNs}; the requests sent. */
  static int run(LoadPlan plan, Prompts prompts, long closedNs, long openNs) {
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
      LoadPlan local = new LoadPlan(java.util.List.of("http://127.0.0.1:" + port + (path == null || path.isEmpty() ? "/" : path)),
          plan.api(), "concurrency 16", plan.durationS(), null, 0.0, 0, null, plan.prompt(), plan.promptsFile(), plan.seed(), 16, false,
          10.0, plan.model(), plan.size(), plan.n(), plan.responseFormat(), plan.maxTokens(), plan.stream(), plan.bodyTemplate(),
          plan.resultPointer(), plan.headers(), null, plan.minDurationS(), plan.minRequests(), plan.maxLevels(), plan.partialImages());
      LoadRunner runner = new LoadRunner(local, prompts, LoadClock.SYSTEM, line -> { }).engine(LoadEngine.Kind.NETTY);
      sent += runner.runLevel(0, 0, new Level.Closed("jit-warm-up-c16", 16), closedNs).records().size();
      sent += runner.runLevel(0, 1, new Level.Open("jit-warm-up-10000rps", new Arrivals.Constant(10_000)), openNs).records().size();
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
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      ctx.writeAndFlush(r);
    }
  }
}
