package io.genbench.cost;

import com.fasterxml.jackson.databind.JsonNode;
import io.genbench.Json;
import io.genbench.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bundled, dated price catalog ({@code io/genbench/cost/price-catalog.json}): AWS on-demand list prices and
 * spot prices estimated as 40 % of on-demand (not observed; the catalog says so) for one region. Source
 * {@code catalog}; every price carries the catalog's date.
 */
public final class PriceCatalog implements PriceSource {
  private static final String RESOURCE = "/io/genbench/cost/price-catalog.json";

  private final String region;
  private final String asOf;
  private final String description;
  private final List<InstancePrice> prices;

  private PriceCatalog(String region, String asOf, String description, List<InstancePrice> prices) {
    this.region = region;
    this.asOf = asOf;
    this.description = description;
    this.prices = List.copyOf(prices);
  }

  /** The catalog shipped with genbench. */
  public static PriceCatalog bundled() {
    try (InputStream in = PriceCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
      return parse(Json.MAPPER.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PriceCatalog parse(JsonNode root) {
    String region = root.path("region").asText();
    String asOf = root.path("as_of").asText();
    List<InstancePrice> prices = new ArrayList<>();
    for (JsonNode n : root.path("instances")) {
      prices.add(new InstancePrice(n.path("instance_type").asText(), region, money(n.get("ondemand_usd_per_hour")),
          money(n.get("spot_usd_per_hour")), "catalog", asOf, n.path("gpu").isNull() ? null : n.path("gpu").asText(null),
          n.path("gpus").asInt(), n.path("gpu_memory_gb").asDouble(), n.path("vcpus").asInt(), n.path("memory_gib").asDouble()));
    }
    return new PriceCatalog(region, asOf, root.path("source").asText(), prices);
  }

  private static BigDecimal money(JsonNode n) {
    return n == null || n.isNull() ? null : new BigDecimal(n.asText());
  }

  /**
   * Prices of the catalog's region. For another region the catalog has no prices: it says so by returning empty
   * rather than pretending us-east-1 prices apply everywhere.
   */
  @Override
  public Optional<InstancePrice> lookup(String instanceType, String region) {
    if (region != null && !region.equals(this.region)) return Optional.empty();
    return prices.stream().filter(p -> p.instanceType().equals(instanceType)).findFirst();
  }

  /**
   * The one check of an instance type a user names (plan file, {@code genbench plan --instance-types},
   * {@code genbench run --actual-instance}, {@code genbench price}): a type the catalog does not price would give a
   * run whose every cost is N/A, so it is refused where it enters.
   *
   * @param origin where the name came from, e.g. {@code plan.yaml} or {@code --instance-types}
   * @throws UserError naming the type, its origin and the known types
   */
  public InstancePrice requireInstanceType(String instanceType, String origin) {
    return lookup(instanceType, null).orElseThrow(() -> new UserError("Unknown instance type \"" + instanceType + "\" (" + origin
        + "): the price catalog (" + region + ", " + asOf + ") has no price for it, so every cost would be N/A. Known: "
        + String.join(", ", prices.stream().map(InstancePrice::instanceType).toList()) + "."));
  }

  /** The check of a region a user names ({@code --region}): the catalog prices one region only. */
  public void requireRegion(String region, String origin) {
    if (!this.region.equals(region)) {
      throw new UserError("Unknown region \"" + region + "\" (" + origin + "): the price catalog (" + asOf + ") prices " + this.region
          + " only, so every cost would be N/A. Known: " + this.region + ".");
    }
  }

  /**
   * Checks everything a run prices by, before it starts: the region, each requested instance type and the actual
   * instance (null: none given).
   */
  public void requirePriceable(String region, List<String> instanceTypes, String actualInstance, String plan) {
    requireRegion(region, "--region");
    for (String type : instanceTypes) requireInstanceType(type, plan);
    if (actualInstance != null) requireInstanceType(actualInstance, "--actual-instance");
  }

  @Override
  public List<InstancePrice> known() {
    return prices;
  }

  public String region() {
    return region;
  }

  public String asOf() {
    return asOf;
  }

  /** Where the figures come from, as the catalog states it. */
  public String description() {
    return description;
  }
}
