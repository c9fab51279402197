package io.genbench.cost;

import java.util.List;
import java.util.Optional;

/** Where hourly prices come from: the bundled catalog, the AWS APIs, a cache of them ({@link PriceBook} chains them). */
public interface PriceSource {

  /** The prices of one instance type in a region, or empty when this source does not know it. */
  Optional<InstancePrice> lookup(String instanceType, String region);

  /**
   * The prices of one instance type in an availability zone: spot prices differ by zone. Sources that do not know
   * zones answer as {@link #lookup(String, String)}.
   */
  default Optional<InstancePrice> lookup(String instanceType, String region, String zone) {
    return lookup(instanceType, region);
  }

  /** Every instance type this source can price, for listings; may be empty for open-ended sources. */
  List<InstancePrice> known();

  /** Tries each source in turn: the first that knows an instance type wins. */
  static PriceSource firstOf(List<PriceSource> sources) {
    return new PriceSource() {
      @Override
      public Optional<InstancePrice> lookup(String instanceType, String region) {
        for (PriceSource s : sources) {
          Optional<InstancePrice> p = s.lookup(instanceType, region);
          if (p.isPresent()) return p;
        }
        return Optional.empty();
      }

      @Override
      public List<InstancePrice> known() {
        return sources.stream().flatMap(s -> s.known().stream()).toList();
      }
    };
  }
}
