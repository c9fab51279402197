package io.genbench.plan;

import io.genbench.UserError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Image size in pixels, written {@code WIDTHxHEIGHT}; both multiples of 8 (the VAE downsamples by 8). */
public record Resolution(int width, int height) {
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

  public Resolution {
    if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0) {
      throw new IllegalArgumentException("resolution must be positive multiples of 8, was " + width + "x" + height);
    }
  }

  public static Resolution parse(String value, String origin) {
    Matcher m = value == null ? null : FORMAT.matcher(value.trim());
    if (m == null || !m.matches()) {
      throw new UserError("Bad resolution \"" + value + "\" (" + origin + "): write WIDTHxHEIGHT, e.g. 512x512 or 1024x1024.");
    }
    int w = Integer.parseInt(m.group(1));
    int h = Integer.parseInt(m.group(2));
    if (w < 8 || h < 8 || w % 8 != 0 || h % 8 != 0) {
      throw new UserError("Bad resolution \"" + value + "\" (" + origin + "): width and height must be at least 8 and multiples of 8"
          + " (the latent is the image divided by 8), e.g. 512x512, 768x768, 1024x1024.");
    }
    if (w > Limits.MAX_RESOLUTION || h > Limits.MAX_RESOLUTION) {
      throw new UserError("Bad resolution \"" + value + "\" (" + origin + "): width and height must be at most " + Limits.MAX_RESOLUTION + ".");
    }
    return new Resolution(w, h);
  }

  /** The latent side lengths: the image divided by the VAE's factor of 8. */
  public int latentWidth() {
    return width / 8;
  }

  public int latentHeight() {
    return height / 8;
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
