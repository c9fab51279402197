package io.genbench.plan;

import io.genbench.UserError;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A model the worker can build, by the id users already write (Hugging Face ids).
 *
 * @param id the Hugging Face id, e.g. {@code stabilityai/stable-diffusion-2-1}
 * @param slug short form used in case ids, e.g. {@code sd-2-1}
 * @param label for people, as the seed's CSV writes it, e.g. {@code SD2.1}
 * @param family the pipeline it runs in
 * @param nativeResolution the resolution it was trained at (its default)
 * @param defaultFrames frames per video for video models, else 0
 */
public record Model(String id, String slug, String label, Family family, Resolution nativeResolution, int defaultFrames) {

  public static final Model SD_1_5 = new Model("runwayml/stable-diffusion-v1-5", "sd-1-5", "SD1.5", Family.SD, new Resolution(512, 512), 0);
  public static final Model SD_2_1 = new Model("stabilityai/stable-diffusion-2-1", "sd-2-1", "SD2.1", Family.SD, new Resolution(768, 768), 0);
  public static final Model SDXL = new Model("stabilityai/stable-diffusion-xl-base-1.0", "sdxl", "SDXL", Family.SDXL, new Resolution(1024, 1024), 0);
  public static final Model SVD_XT = new Model("stabilityai/stable-video-diffusion-img2vid-xt", "svd-xt", "SVD-XT", Family.SVD, new Resolution(1024, 576), 14);
  public static final Model OPT_125M = llm("facebook/opt-125m", "opt-125m", "OPT-125M");
  public static final Model OPT_350M = llm("facebook/opt-350m", "opt-350m", "OPT-350M");
  public static final Model OPT_1_3B = llm("facebook/opt-1.3b", "opt-1-3b", "OPT-1.3B");
  public static final Model OPT_2_7B = llm("facebook/opt-2.7b", "opt-2-7b", "OPT-2.7B");
  public static final Model OPT_6_7B = llm("facebook/opt-6.7b", "opt-6-7b", "OPT-6.7B");
  public static final Model OPT_13B = llm("facebook/opt-13b", "opt-13b", "OPT-13B");

  /** Every built-in architecture, in the order {@code genbench models} lists them. */
  public static final List<Model> ALL = List.of(SD_1_5, SD_2_1, SDXL, SVD_XT, OPT_125M, OPT_350M, OPT_1_3B, OPT_2_7B, OPT_6_7B, OPT_13B);

  private static Model llm(String id, String slug, String label) {
    return new Model(id, slug, label, Family.OPT, new Resolution(8, 8), 0);
  }

  /** Finds a model by id, slug or label (case-insensitive). */
  public static Model parse(String value, String origin) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (Model m : ALL) {
      if (m.id.toLowerCase(Locale.ROOT).equals(v) || m.slug.equals(v) || m.label.toLowerCase(Locale.ROOT).equals(v)) return m;
    }
    throw new UserError("Unknown model \"" + value + "\" (" + origin + "). Known: "
        + ALL.stream().map(Model::id).collect(Collectors.joining(", ")) + ".");
  }
}
