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
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Once per process, before the first level on the Netty engine: drives the engine's own send and receive paths
 * (closed loop, then open loop through the timer hand-over) against a server of its own on 127.0.0.1 until the JIT has
 * compiled them, and only then does the first level start. Without it the first level of a run carried the JIT's
 * compilations: pinned to one core, its dispatch lag P99 was 1.96 ms at 1,000 req/s and 5.7 ms at 10,000 req/s against
 * 0.07 and 0.24 ms for the same rates run after another level (bench/load-dispatch). Nothing reaches the target.
 * {@code -Dgenbench.load.jitWarmUp=false} turns it off.
 */
final class JitWarmUp {
  private static final AtomicBoolean DONE = new AtomicBoolean();
  /** Closed-loop requests, then open-loop ones: C2 compiles a method after about 10,000 calls. */
  static final int CLOSED = 30_000;
  static final int OPEN = 4_000;
  private static final long MAX_NS = 5_000_000_000L;
  private static final byte[] ANSWER = "{\"data\":[{\"b64_json\":\"aGVsbG8=\"}]}".getBytes(StandardCharsets.US_ASCII);

  private JitWarmUp() {}

  /** Runs the warm-up unless this process already did (or it is turned off); returns the requests it answered. */
  static int once(Consumer<String> progress) {
    if (!Boolean.parseBoolean(System.getProperty("genbench.load.jitWarmUp", "true")) || !DONE.compareAndSet(false, true)) return 0;
    long t0 = System.nanoTime();
    int answered = run(CLOSED, OPEN, MAX_NS);
    progress.accept(String.format(java.util.Locale.ROOT, "load engine warmed up: %,d requests to an in-process server in %.1f s"
        + " (once per process, so the JIT's compilations do not fall into the first level)", answered, (System.nanoTime() - t0) / 1e9));
    return answered;
  }

  /** {@code closed} requests over 16 connections, then {@code open} at 10,000 req/s; at most {@code maxNs}. */
  static int run(int closed, int open, long maxNs) {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    AtomicInteger answered = new AtomicInteger();
    try {
      Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new Answer());
            }
          }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      long deadline = System.nanoTime() + maxNs;
      try (NettyLoadEngine engine = new NettyLoadEngine("http://127.0.0.1:" + port + "/", 16, 10_000_000_000L, Map.of(),
          () -> new ResponseReader.Whole((body, into) -> body.has("data") ? null : "no data"), LoadClock.SYSTEM)) {
        byte[] body = "{\"prompt\":\"warm-up\"}".getBytes(StandardCharsets.US_ASCII);
        int users = Math.min(16, closed);
        CountDownLatch closedDone = new CountDownLatch(users);
        AtomicInteger sent = new AtomicInteger(users);
        Consumer<RequestRecord>[] loop = new Consumer[1];
        loop[0] = r -> {
          if (r.ok()) answered.incrementAndGet();
          if (sent.getAndIncrement() < closed && System.nanoTime() < deadline) {
            engine.fire(new LoadEngine.Call(0, 0, 0, true, 0, System.nanoTime(), body, loop[0]));
          } else {
            closedDone.countDown();
          }
        };
        for (int u = 0; u < users; u++) engine.fire(new LoadEngine.Call(0, 0, 0, true, 0, System.nanoTime(), body, loop[0]));
        closedDone.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        long start = System.nanoTime() + 1_000_000;
        CountDownLatch openDone = new CountDownLatch(open);
        for (int i = 0; i < open && System.nanoTime() < deadline; i++) {
          long due = start + i * 100_000L;
          long wait = due - engine.aheadNs(100_000) - System.nanoTime();
          if (wait > 0) LockSupport.parkNanos(wait);
          engine.fireAt(new LoadEngine.Call(0, 0, 0, true, 0, due, body, r -> {
            if (r.ok()) answered.incrementAndGet();
            openDone.countDown();
          }));
        }
        openDone.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      server.close().sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // a warm-up that cannot run (no loopback?) leaves the JIT cold; the levels still run and judge their own lag
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    return answered.get();
  }

  /** Answers every request with {@link #ANSWER}, keep-alive. */
  private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(ANSWER));

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof LastHttpContent)) return;
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate());
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, ANSWER.length);
      ctx.writeAndFlush(r);
    }
  }
}
