package io.genbench.serve;

import io.genbench.execute.onnx.OnnxExecutor;
import java.util.ArrayList;
import java.util.List;

/** The embedded default: the ONNX stand-in of the Stable Diffusion architecture, built once, in this JVM. */
public final class OnnxImageBackend implements ImageBackend {
  private final OnnxExecutor.Generator generator;

  private OnnxImageBackend(OnnxExecutor.Generator generator) {
    this.generator = generator;
  }

  /** Builds the model ({@code threads}: ONNX Runtime's intra-op threads, 0 = one per core but one). */
  public static OnnxImageBackend build(int threads) {
    return new OnnxImageBackend(OnnxExecutor.Generator.open(threads));
  }

  @Override
  public String name() {
    return "onnx-cpu";
  }

  @Override
  public String builtModel() {
    return generator.modelId();
  }

  @Override
  public int sizeMultiple() {
    return generator.sizeMultiple();
  }

  @Override
  public List<Image> generate(ImageBatch batch) {
    OnnxExecutor.Images out = generator.generate(batch.prompts(), batch.seeds(), batch.shape().size(), batch.shape().steps(),
        batch.shape().guidance());
    int w = out.width();
    int h = out.height();
    int plane = w * h;
    List<Image> images = new ArrayList<>(out.count());
    for (int i = 0; i < out.count(); i++) {
      byte[] rgb = new byte[3 * plane];
      int base = i * 3 * plane;
      for (int p = 0; p < plane; p++) {
        for (int ch = 0; ch < 3; ch++) rgb[3 * p + ch] = toByte(out.nchw()[base + ch * plane + p]);
      }
      images.add(new Image(w, h, rgb));
    }
    return images;
  }

  /** The VAE's [-1, 1] to 0..255, as diffusers' image processor does ({@code (x / 2 + 0.5).clamp(0, 1)}). */
  private static byte toByte(float x) {
    float v = Math.min(1f, Math.max(0f, x / 2 + 0.5f));
    return (byte) Math.round(v * 255);
  }

  @Override
  public void close() {
    generator.close();
  }
}
