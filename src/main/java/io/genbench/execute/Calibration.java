package io.genbench.execute;

import io.genbench.plan.Model;
import io.genbench.plan.Precision;
import io.genbench.plan.Resolution;
import io.genbench.plan.Settings;
import io.genbench.plan.TestCase;
import io.genbench.wire.WorkerEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The embedded backend's cost model, measured on this machine in a few seconds: the pipeline at the plan's smallest
 * image (batch 1, 2 steps, {@value #PROBE} times) and, when the plan's largest image is more than 4× its pixels, once
 * at the largest (batch 1, 1 step). A denoising step and the decoder are each fitted as a power of batch × pixels
 * through those two points (small images cost more per pixel than large ones on a CPU), so a request costs text
 * encode + steps × step + decode. The probe's times, fed to the warm-up rule, say how soon timing is steady on this
 * machine now (a busy machine warms up to the caps).
 */
public final class Calibration implements Estimator.CostModel {
  static final int PROBE = 6;
  private final double buildS;
  private final double textEncodeS;
  private final double w1;
  private final double step1;
  private final double decode1;
  private final double stepAlpha;
  private final double decodeAlpha;
  private final List<Long> probeNs;
  private final double tookS;

  Calibration(double buildS, double textEncodeS, double w1, double step1, double decode1, double stepAlpha, double decodeAlpha,
      List<Long> probeNs, double tookS) {
    this.buildS = buildS;
    this.textEncodeS = textEncodeS;
    this.w1 = w1;
    this.step1 = step1;
    this.decode1 = decode1;
    this.stepAlpha = stepAlpha;
    this.decodeAlpha = decodeAlpha;
    this.probeNs = List.copyOf(probeNs);
    this.tookS = tookS;
  }

  /** Measures {@code executor} (the embedded backend) at the shapes of {@code cases}. */
  public static Calibration measure(Executor executor, List<TestCase> cases, Ticker ticker) {
    long t0 = ticker.read();
    List<TestCase> images = cases.stream().filter(c -> c.model().family().isDiffusion()).toList();
    Comparator<TestCase> byPixels = Comparator.comparingLong(c -> (long) c.diffusion().resolution().width() * c.diffusion().resolution().height());
    Resolution small = images.stream().min(byPixels).map(c -> c.diffusion().resolution()).orElse(new Resolution(64, 64));
    Resolution large = images.stream().max(byPixels).map(c -> c.diffusion().resolution()).orElse(small);
    Run a = run(executor, TestCase.diffusion(Model.SD_2_1, "calibration", 1, 2, small, Precision.FLOAT32), PROBE);
    double w1 = pixels(small);
    double stepAlpha = 0.9;
    double decodeAlpha = 1;
    if (pixels(large) > 4 * w1) {
      Run b = run(executor, TestCase.diffusion(Model.SD_2_1, "calibration", 1, 1, large, Precision.FLOAT32), 1);
      double ratio = pixels(large) / w1;
      stepAlpha = fit(a.stepS(), b.stepS(), ratio);
      decodeAlpha = fit(a.decodeS(), b.decodeS(), ratio);
    }
    return new Calibration(a.loadS(), a.textEncodeS(), w1, a.stepS(), a.decodeS(), stepAlpha, decodeAlpha, a.e2eNs(),
        (ticker.read() - t0) / 1e9);
  }

  private static double fit(double y1, double y2, double xRatio) {
    if (!(y1 > 0 && y2 > 0)) return 1;
    return Math.max(0.3, Math.min(1.3, Math.log(y2 / y1) / Math.log(xRatio)));
  }

  private static double pixels(Resolution r) {
    return (double) r.width() * r.height();
  }

  /** One calibration case's figures: medians over its samples. */
  private record Run(double loadS, double textEncodeS, double stepS, double decodeS, List<Long> e2eNs) {}

  private static Run run(Executor executor, TestCase c, int iterations) {
    Settings s = new Settings(0, iterations, iterations, 0, 600, 42, 0, 1, Settings.DEFAULT_STEADY_TOLERANCE);
    List<WorkerEvent.Sample> samples = new ArrayList<>();
    long[] load = {0};
    executor.execute(List.of(c), s, new CaseSink() {
      @Override
      public void event(WorkerEvent e) {
        if (e instanceof WorkerEvent.Sample sample) samples.add(sample);
        if (e instanceof WorkerEvent.Loaded l) load[0] = l.loadNs();
      }

      @Override
      public void log(String caseId, String line) {
        // calibration output is not kept
      }
    });
    if (samples.isEmpty()) throw new IllegalStateException("the calibration run of " + c.diffusion().resolution() + " measured nothing");
    return new Run(load[0] / 1e9, median(samples.stream().map(x -> x.textEncodeNs()).toList()),
        median(samples.stream().map(x -> x.stepNs().stream().mapToLong(Long::longValue).min().orElse(0)).toList()),
        median(samples.stream().map(x -> x.decodeNs()).toList()), samples.stream().map(WorkerEvent.Sample::e2eNs).toList());
  }

  private static double median(List<Long> ns) {
    List<Long> sorted = ns.stream().sorted().toList();
    return sorted.get(sorted.size() / 2) / 1e9;
  }

  @Override
  public double e2eS(TestCase c) {
    double w = c.batchSize() * pixels(c.diffusion().resolution()) / w1;
    return textEncodeS + c.diffusion().steps() * step1 * Math.pow(w, stepAlpha) + decode1 * Math.pow(w, decodeAlpha);
  }

  @Override
  public double startS() {
    return 0;
  }

  @Override
  public double buildS(TestCase c) {
    return buildS;
  }

  @Override
  public double otherS(TestCase c, double e2eS) {
    return 0;
  }

  /**
   * At which iteration the rule would expect timing to be steady on this machine now: of the probe's windows of
   * {@link Settings#STEADY_WINDOW} iterations, the share p that lie within the tolerance of their median, taken as the
   * chance that a window is steady, so the first steady window ends at iteration window − 1 + 1/p (p counted with half
   * a window more, so a probe with no steady window still predicts an end, a late one); that iteration is measured.
   */
  @Override
  public int steadyAfter(Settings s) {
    return steadyAfter(probeNs, s.steadyTolerance());
  }

  static int steadyAfter(List<Long> times, double tolerance) {
    int window = Settings.STEADY_WINDOW;
    int windows = Math.max(0, times.size() - window + 1);
    int steady = 0;
    for (int i = 0; i < windows; i++) {
      List<Long> w = times.subList(i, i + window).stream().sorted().toList();
      double median = w.get(window / 2);
      if (w.stream().allMatch(t -> Math.abs(t - median) <= tolerance * median)) steady++;
    }
    double p = (steady + 0.5) / (windows + 1);
    return window - 1 + (int) Math.round(1 / p);
  }

  @Override
  public Estimator.Source source() {
    return Estimator.Source.CALIBRATED;
  }

  @Override
  public String basis() {
    return String.format(Locale.ROOT, "%.1f s of calibration: step %.1f ms at %.0f px", tookS, step1 * 1e3, w1);
  }

  /** Seconds the calibration took. */
  public double tookS() {
    return tookS;
  }
}
