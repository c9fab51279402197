package io.genbench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The load engine for plain http:// HTTP/1.1 targets: Netty used directly (native epoll where the platform has it, else
 * NIO). Each request is written as pre-encoded bytes (the request line and headers cached, then content-length and the
 * body) in one pooled buffer with one writeAndFlush; responses are decoded by Netty's {@link HttpResponseDecoder} and their
 * bodies fed to the request's {@link ResponseReader} through a per-loop scratch array (the readers copy what they keep).
 *
 * <p>The pool is global: at most {@code connections} connections, opened lazily, each owned by one event loop, which
 * keeps its idle ones on a stack; requests that find no idle connection on their loop take one idle on another loop
 * (that loop is poked), else open a new connection while under the limit, else wait in one global FIFO that whichever
 * connection frees first serves. So a request waits only while every connection is busy. A connection's failure to
 * open fails one waiting request (a connection error); a {@code connection: close} answer closes its connection.
 * A request whose callback fires the next one (a closed loop's user) sends it from the same event loop on the
 * connection just freed, with no thread hop.
 *
 * <p>Timeouts (measured from the send) are found by a sweep of each loop's connections every
 * {@link #SWEEP_MS} ms, not a timer per request. Open-loop requests are handed over {@link #aheadNs} early and
 * scheduled on their event loop for their due time (epoll's timerfd: no timer slack), so the scheduler thread's wake-up
 * and the loop's wake-up are paid before the schedule instead of in the dispatch lag.
 */
final class NettyLoadEngine implements LoadEngine {
  /** How often each loop looks for requests past their timeout. */
  static final long SWEEP_MS = 10;

  /**
   * How early open-loop requests are handed to their event loop, which holds them in its timer queue and writes each at
   * its due time: longer than the scheduler's park overshoot (timer slack, ~60 us; more on a busy machine), so the
   * scheduler's lateness stays out of the dispatch lag. On the 2-core VM, busy with other builds, bench/load-dispatch's
   * dispatch lag P50 was 12-27 us this way against 44-70 us firing at the due time (the old spin-then-fire scheduler).
   */
  static final long AHEAD_NS = 500_000;

  private static final byte[] CRLF2 = {'\r', '\n', '\r', '\n'};
  private static final AsciiString SERVER_TIMING = AsciiString.cached("server-timing"); // its hash computed once

  /** Netty's decoder as Vert.x's client was set: 64 KiB status line and headers; header names and values not validated (read only). */
  private static final HttpDecoderConfig DECODER = new HttpDecoderConfig().setMaxInitialLineLength(65536).setMaxHeaderSize(65536)
      .setMaxChunkSize(65536).setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
      .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));

  static {
    // Netty's epoll loop waits for a timer under 10 ms with epoll_wait's millisecond timeout (rounded down, then late by
    // the timer slack); at 0 it always arms its timerfd, to the nanosecond and without slack: open-loop requests are
    // scheduled on their loop for their due time. Read once, when the first epoll loop is made; a user's setting wins.
    if (System.getProperty("io.netty.channel.epoll.epollWaitThreshold") == null) {
      System.setProperty("io.netty.channel.epoll.epollWaitThreshold", "0");
    }
  }

  private final EventLoopGroup group;
  private final boolean epoll;
  private final Bootstrap bootstrap;
  private final Loop[] loops;
  private final LoadClock clock;
  private final long timeoutNs;
  private final Supplier<ResponseReader> readers;
  private final byte[] prefix; // request line, headers, "content-length: "
  private final int limit;
  private final AtomicInteger opened = new AtomicInteger(); // connections open or opening
  private final AtomicInteger nextLoop = new AtomicInteger();
  private final ConcurrentLinkedQueue<Exchange> waiting = new ConcurrentLinkedQueue<>();
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  NettyLoadEngine(String url, int connections, long timeoutNs, Map<String, String> headers, Supplier<ResponseReader> readers,
      LoadClock clock) {
    this.clock = clock;
    this.timeoutNs = timeoutNs;
    this.readers = readers;
    this.limit = Math.max(1, connections);
    URI u = URI.create(url);
    int port = u.getPort() > 0 ? u.getPort() : 80;
    this.prefix = prefix(u, port, headers);
    int n = Math.min(EVENT_LOOPS, limit);
    this.epoll = Epoll.isAvailable();
    DefaultThreadFactory threads = new DefaultThreadFactory("genbench-load", true);
    // each loop's select strategy, in the loops' order: it polls while an answer is due (WakeAhead)
    ArrayList<WakeAhead> wakes = new ArrayList<>();
    SelectStrategyFactory strategies = () -> {
      WakeAhead w = new WakeAhead(clock);
      wakes.add(w);
      return w;
    };
    this.group = epoll ? new EpollEventLoopGroup(n, threads, strategies)
        : new NioEventLoopGroup(n, threads, SelectorProvider.provider(), strategies);
    this.bootstrap = new Bootstrap().channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .remoteAddress(u.getHost(), port).option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutNs / 1_000_000)));
    this.loops = new Loop[n];
    int i = 0;
    for (var executor : group) {
      Loop l = new Loop((EventLoop) executor, wakes.get(i));
      loops[i++] = l;
      l.eventLoop.scheduleAtFixedRate(l::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** "POST uri HTTP/1.1", host, content-type, accept, the plan's headers (which replace those by name), "content-length: ". */
  static byte[] prefix(URI u, int port, Map<String, String> extra) {
    String uri = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    Map<String, String[]> headers = new LinkedHashMap<>(); // lower-case name -> {name, value}
    headers.put("host", new String[] {"host", u.getHost() + (u.getPort() > 0 ? ":" + port : "")});
    headers.put("content-type", new String[] {"content-type", "application/json"});
    headers.put("accept", new String[] {"accept", "application/json, text/event-stream"});
    extra.forEach((name, value) -> {
      if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
        throw new IllegalArgumentException("request header name '" + name + "' (from the load plan's headers) is not an HTTP token");
      }
      if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw new IllegalArgumentException("request header '" + name + "' (from the load plan's headers) holds a line break");
      }
      String key = name.toLowerCase(Locale.ROOT);
      if (key.equals("content-length") || key.equals("transfer-encoding")) return; // the engine frames the body itself
      headers.put(key, new String[] {name, value});
    });
    StringBuilder b = new StringBuilder("POST ").append(uri).append(" HTTP/1.1\r\n");
    for (String[] h : headers.values()) b.append(h[0]).append(": ").append(h[1]).append("\r\n");
    return b.append("content-length: ").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean nativeTransport() {
    return epoll;
  }

  /** Opens one connection and keeps it idle for the first request; writes nothing. */
  @Override
  public void warm(long maxNs) {
    if (!reserve()) return;
    ChannelFuture f = connect(loops[0]);
    try {
      f.await(Math.max(1, maxNs), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public int inFlight() {
    return inFlight.size();
  }

  @Override
  public void fire(Call call) {
    Exchange ex = new Exchange(call, readers.get());
    ex.firedNs = clock.nanoTime();
    inFlight.add(ex);
    Loop here = current();
    if (here != null) {
      here.dispatch(ex);
      return;
    }
    // from another thread: queued here, so requests fired one after another keep their order whichever loop serves them
    waiting.add(ex);
    Loop l = pick();
    l.eventLoop.execute(l::drain);
  }

  @Override
  public long aheadNs(long gapNs) {
    return AHEAD_NS; // at every rate: the loop holds requests in its timer queue, not by spinning
  }

  @Override
  public void fireAt(Call call) {
    Exchange ex = new Exchange(call, readers.get());
    inFlight.add(ex);
    Loop l = pick();
    long delay = call.scheduledNs() - clock.nanoTime();
    if (delay <= 0) {
      l.eventLoop.execute(() -> l.due(ex));
    } else {
      l.eventLoop.schedule(() -> l.due(ex), delay, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void abandonInFlight() {
    for (Exchange ex : inFlight) ex.abandon();
  }

  @Override
  public void close() {
    closed = true;
    abandonInFlight();
    for (Loop l : loops) {
      l.eventLoop.execute(() -> {
        for (Conn c : new ArrayList<>(l.conns)) c.channel.close();
      });
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** The loop whose thread this is, or null. */
  private Loop current() {
    for (Loop l : loops) if (l.eventLoop.inEventLoop()) return l;
    return null;
  }

  /** A loop for a request from outside the loops: the next one round-robin that has an idle connection, else the next. */
  private Loop pick() {
    int start = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
    for (int i = 0; i < loops.length; i++) {
      Loop l = loops[(start + i) % loops.length];
      if (l.idleCount > 0) return l;
    }
    return loops[start];
  }

  /** Takes one connection slot under the limit; false when every slot is taken. */
  private boolean reserve() {
    int n;
    do {
      n = opened.get();
      if (n >= limit || closed) return false;
    } while (!opened.compareAndSet(n, n + 1));
    return true;
  }

  /** The oldest waiting request not yet finished (abandoned ones are dropped), or null. */
  private Exchange pollWaiting() {
    Exchange ex;
    while ((ex = waiting.poll()) != null) {
      if (!ex.finished.get()) return ex;
    }
    return null;
  }

  /** Pokes a loop with an idle connection to serve the waiting queue; false when no loop has one. */
  private boolean pokeIdle(Loop except) {
    int start = Math.floorMod(nextLoop.get(), loops.length);
    for (int i = 0; i < loops.length; i++) {
      Loop l = loops[(start + i) % loops.length];
      if (l != except && l.idleCount > 0) {
        l.eventLoop.execute(l::drain);
        return true;
      }
    }
    return false;
  }

  /** Opens a connection (its slot already reserved) on {@code l}; once open it serves the waiting queue or goes idle. */
  private ChannelFuture connect(Loop l) {
    Conn c = new Conn(l);
    ChannelFuture f = bootstrap.clone(l.eventLoop).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpResponseDecoder(DECODER), c);
      }
    }).connect();
    f.addListener(done -> {
      if (done.isSuccess()) {
        c.channel = f.channel();
        l.conns.add(c);
        if (closed) {
          c.channel.close();
        } else {
          l.release(c);
        }
        return;
      }
      opened.decrementAndGet();
      Exchange ex = pollWaiting();
      if (ex != null) ex.fail(ErrorKind.CONNECTION, 0, done.cause());
      l.connectIfWaiting();
    });
    return f;
  }

  /** One event loop's share of the pool; every field is touched on its thread only, but {@link #idleCount}. */
  private final class Loop {
    final EventLoop eventLoop;
    final ArrayDeque<Conn> idle = new ArrayDeque<>(); // a stack: the connection freed last goes out first
    final ArrayList<Conn> conns = new ArrayList<>();
    volatile int idleCount;
    byte[] scratch = new byte[8192];
    final WakeAhead wake;

    Loop(EventLoop eventLoop, WakeAhead wake) {
      this.eventLoop = eventLoop;
      this.wake = wake;
    }

    /**
     * Sends {@code ex} on an idle connection of this loop, else it queues behind any earlier request and takes an idle
     * connection of another loop (poked), else a new one while under the limit, else the first that frees.
     */
    void dispatch(Exchange ex) {
      if (ex.finished.get()) return;
      if (waiting.isEmpty()) {
        Conn c = takeIdle();
        if (c != null) {
          c.send(ex);
          return;
        }
      }
      waiting.add(ex);
      drain();
    }

    /** An open-loop request at its due time (or as soon as the loop got to it). */
    void due(Exchange ex) {
      long now = clock.nanoTime();
      long early = ex.call.scheduledNs() - now;
      if (early > 0) { // the loop's clock ran ahead of the load clock (an injected clock): wait the rest
        eventLoop.schedule(() -> due(ex), early, TimeUnit.NANOSECONDS);
        return;
      }
      ex.firedNs = now;
      dispatch(ex);
    }

    Conn takeIdle() {
      Conn c;
      while ((c = idle.pollFirst()) != null && !c.channel.isActive()) {
        // closed while idle: channelInactive drops it from conns
      }
      idleCount = idle.size();
      return c;
    }

    /** A connection is free: it serves the oldest waiting request, else goes idle. */
    void release(Conn c) {
      Exchange ex = pollWaiting();
      if (ex != null) {
        c.send(ex);
        return;
      }
      idle.addFirst(c);
      idleCount = idle.size();
      // a request may have queued between the poll and the count's publication, having seen no idle connection
      ex = pollWaiting();
      if (ex != null) {
        Conn i = takeIdle();
        if (i != null) i.send(ex);
      }
    }

    /** Serves waiting requests with this loop's idle connections; when none is left, pokes another loop or opens one. */
    void drain() {
      Exchange ex;
      while (!idle.isEmpty() && (ex = pollWaiting()) != null) {
        Conn c = takeIdle();
        if (c == null) {
          waiting.add(ex); // lost its FIFO place only when every idle connection here had just closed
          break;
        }
        c.send(ex);
      }
      connectIfWaiting();
    }

    void connectIfWaiting() {
      if (!waiting.isEmpty() && idle.isEmpty() && !pokeIdle(this) && reserve()) connect(this);
    }

    /** Ends requests past their timeout (from their send) and closes their connections. */
    void sweep() {
      long now = clock.nanoTime();
      for (int i = conns.size() - 1; i >= 0; i--) {
        Conn c = conns.get(i);
        Exchange ex = c.current;
        if (ex != null && now - ex.sentNs >= timeoutNs) {
          c.current = null;
          ex.fail(ErrorKind.TIMEOUT, ex.status, null);
          c.channel.close();
        }
      }
    }
  }

  /** One connection and its response handler (after Netty's decoder in its pipeline). */
  private final class Conn extends ChannelInboundHandlerAdapter {
    final Loop loop;
    Channel channel;
    Exchange current;
    boolean keepAlive;
    boolean ok;
    StringBuilder errorBody;
    Throwable cause;

    Conn(Loop loop) {
      this.loop = loop;
    }

    void send(Exchange ex) {
      current = ex;
      ex.conn = this;
      byte[] body = ex.call.body();
      ByteBuf b = channel.alloc().ioBuffer(prefix.length + 14 + body.length);
      b.writeBytes(prefix);
      writeDigits(b, body.length);
      b.writeBytes(CRLF2);
      b.writeBytes(body);
      ex.sentNs = clock.nanoTime();
      channel.writeAndFlush(b, channel.voidPromise());
      long pollFrom = loop.wake.pollFrom(ex.sentNs);
      if (pollFrom != WakeAhead.NONE) { // a slow service: wake and poll just before its answer is due
        loop.eventLoop.schedule(() -> {
          if (!ex.finished.get()) loop.wake.arm(ex);
        }, pollFrom - ex.sentNs, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        read(msg);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void read(Object msg) {
      Exchange ex = current;
      if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
        current = null;
        if (ex != null) ex.fail(ErrorKind.CONNECTION, ex.status, malformed(p.decoderResult()));
        channel.close();
        return;
      }
      if (ex == null) return; // nothing asked (a late answer to a request that timed out: its connection is closing)
      if (msg instanceof HttpResponse r) {
        int status = r.status().code();
        if (status >= 100 && status < 200 && status != 101) {
          ex.informational = true; // 1xx: the real answer follows
          return;
        }
        ex.informational = false;
        ex.status = status;
        ok = status >= 200 && status < 300;
        errorBody = ok ? null : new StringBuilder();
        keepAlive = HttpUtil.isKeepAlive(r);
        if (ok) ex.reader.expect(HttpUtil.getContentLength(r, -1L)); // a whole body's buffer sized once
        ex.timing = ServerTiming.parse(r.headers().getAll(SERVER_TIMING));
      }
      if (!(msg instanceof HttpContent content) || ex.informational) return;
      ByteBuf data = content.content();
      int n = data.readableBytes();
      if (n > 0) {
        long now = clock.nanoTime();
        if (ex.firstByteNs == 0) ex.firstByteNs = now;
        if (ok) {
          if (data.hasArray()) {
            ex.reader.feed(data.array(), data.arrayOffset() + data.readerIndex(), n, now);
          } else {
            if (loop.scratch.length < n) loop.scratch = new byte[Math.max(n, loop.scratch.length * 2)];
            data.getBytes(data.readerIndex(), loop.scratch, 0, n);
            ex.reader.feed(loop.scratch, 0, n, now); // the reader copies what it keeps: the scratch is reused
          }
        } else if (errorBody.length() < 200) {
          errorBody.append(data.toString(data.readerIndex(), Math.min(n, 200), StandardCharsets.UTF_8));
        }
      }
      if (msg instanceof LastHttpContent) {
        long now = clock.nanoTime();
        current = null;
        if (ok) loop.wake.serviced(now - ex.sentNs);
        loop.wake.ended(ex);
        if (keepAlive) {
          loop.release(this); // before the record: a closed loop's next request goes out on this connection
        } else {
          channel.close();
        }
        ex.complete(ok, errorBody, now);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
      if (cause == null) cause = t;
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      loop.conns.remove(this);
      if (loop.idle.remove(this)) loop.idleCount = loop.idle.size();
      opened.decrementAndGet();
      Exchange ex = current;
      current = null;
      if (ex != null) {
        ex.fail(ErrorKind.CONNECTION, ex.status, cause != null ? cause : new java.io.IOException("the server closed the connection before the response ended"));
      }
      if (!closed) loop.connectIfWaiting();
    }
  }

  private static Throwable malformed(DecoderResult r) {
    Throwable t = r.cause();
    return new java.io.IOException("malformed response: " + (t == null ? "undecodable" : t.getMessage() == null ? t.toString() : t.getMessage()));
  }

  private static void writeDigits(ByteBuf b, int n) {
    if (n >= 10) writeDigits(b, n / 10);
    b.writeByte('0' + n % 10);
  }

  private final class Exchange {
    final Call call;
    final ResponseReader reader;
    final AtomicBoolean finished = new AtomicBoolean();
    volatile Conn conn;
    long firedNs;
    long sentNs;
    long firstByteNs;
    int status;
    boolean informational;
    ServerTiming timing = ServerTiming.NONE;

    Exchange(Call call, ResponseReader reader) {
      this.call = call;
      this.reader = reader;
    }

    void complete(boolean ok, StringBuilder errorBody, long now) {
      finish(Outcome.ofResponse(ok, status, errorBody, reader, now), now);
    }

    void fail(ErrorKind kind, int httpStatus, Throwable cause) {
      status = httpStatus;
      finish(Outcome.ofFailure(kind, cause), clock.nanoTime());
    }

    void abandon() {
      if (finish(new Outcome(ErrorKind.UNFINISHED, "no response when the level's drain time ran out"), clock.nanoTime())) {
        Conn c = conn;
        if (c != null) c.channel.close();
      }
    }

    private boolean finish(Outcome outcome, long doneNs) {
      if (!finished.compareAndSet(false, true)) return false;
      if (firedNs == 0) firedNs = Math.max(call.scheduledNs(), Math.min(doneNs, clock.nanoTime())); // abandoned before due
      RequestRecord r = outcome.record(call, reader, firedNs, sentNs, firstByteNs, doneNs, status, timing);
      try {
        call.done().accept(r);
      } finally {
        // only now: a level that waits for inFlight() to reach 0 must find this record already delivered
        inFlight.remove(this);
      }
      return true;
    }
  }
}
