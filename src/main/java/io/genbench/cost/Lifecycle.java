package io.genbench.cost;

import io.genbench.Labeled;
import java.math.BigDecimal;

/** How an instance is bought: which of its hourly prices is the one paid ({@code --lifecycle}). */
public enum Lifecycle implements Labeled {
  SPOT("spot", "spot"),
  ONDEMAND("ondemand", "on-demand");

  private final String label;
  private final String words;

  Lifecycle(String label, String words) {
    this.label = label;
    this.words = words;
  }

  /** As in options and files: {@code spot}, {@code ondemand}. */
  @Override
  public String label() {
    return label;
  }

  /** As in prose: {@code spot}, {@code on-demand}. */
  public String words() {
    return words;
  }

  /** The hourly price paid: the spot price when this is spot and it is known, else the on-demand price (may be null). */
  public BigDecimal hourly(InstancePrice p) {
    return this == SPOT && p.spotUsdPerHour() != null ? p.spotUsdPerHour() : p.ondemandUsdPerHour();
  }

  /** The label: picocli lists the valid choices and shows defaults with it. */
  @Override
  public String toString() {
    return label;
  }

  public static Lifecycle parse(String value, String origin) {
    return Labeled.parse(Lifecycle.class, value, "lifecycle", origin);
  }
}
