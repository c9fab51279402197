package io.genbench.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A text model that "generates" tokens t0, t1, ... at once (or, gated, after the test opens the gate), or fails as
 * told. Its image side refuses, as a text model's does.
 */
final class FakeTextBackend implements ImageBackend, TextBackend {
  private final CountDownLatch gate;
  private final CountDownLatch started = new CountDownLatch(1);
  volatile RuntimeException failure;

  FakeTextBackend(boolean gated) {
    this.gate = new CountDownLatch(gated ? 1 : 0);
  }

  void open() {
    gate.countDown();
  }

  boolean awaitStarted() throws InterruptedException {
    return started.await(30, TimeUnit.SECONDS);
  }

  @Override
  public int concurrency() {
    return 1;
  }

  @Override
  public Completion generate(Request request, Consumer<Token> onToken) {
    started.countDown();
    try {
      if (!gate.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the test never opened the gate");
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    if (failure != null) throw failure;
    List<Integer> ids = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < request.maxTokens(); i++) {
      onToken.accept(new Token(i, 100 + i, " t" + i));
      ids.add(100 + i);
      text.append(" t").append(i);
    }
    int prompt = request.text() != null ? request.text().length() : request.ids().size();
    return new Completion(ids, text.toString(), prompt, ids.size(), "length", 1_000_000, 2_000_000);
  }

  @Override
  public String name() {
    return "fake-text";
  }

  @Override
  public String builtModel() {
    return "facebook/opt-125m";
  }

  @Override
  public int sizeMultiple() {
    return 8;
  }

  @Override
  public boolean generatesImages() {
    return false;
  }

  @Override
  public java.util.Optional<TextBackend> text() {
    return java.util.Optional.of(this);
  }

  @Override
  public List<Image> generate(ImageBatch batch) {
    throw new IllegalStateException("a text model");
  }

  @Override
  public void close() {
    open();
  }
}
