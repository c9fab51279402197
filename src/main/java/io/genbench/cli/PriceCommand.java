package io.genbench.cli;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.PriceCatalog;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench price}: spot and on-demand prices with their source and age. */
@Command(name = "price", mixinStandardHelpOptions = true,
    description = {"Prints spot and on-demand USD/hour of instance types, with where each price came from and when.",
        "This release prices from the bundled, dated catalog (source: catalog; its spot prices are estimated, see"
            + " the source line); live AWS prices come later."},
    footer = {"", "Examples:", "  genbench price g5.xlarge g6e.xlarge", "  genbench price --list"})
final class PriceCommand implements Callable<Integer> {

  @Parameters(arity = "0..*", paramLabel = "INSTANCE_TYPE", description = "e.g. g5.xlarge g6e.xlarge")
  List<String> instanceTypes;

  @Option(names = "--region", defaultValue = "us-east-1", paramLabel = "R", description = "region (default: ${DEFAULT-VALUE})")
  String region;

  @Option(names = "--offline", description = "use only the bundled catalog; accepted for scripts, as the catalog is the only source in this release")
  boolean offline;

  @Option(names = "--list", description = "list every instance type the catalog prices")
  boolean list;

  @Override
  public Integer call() {
    PriceCatalog catalog = PriceCatalog.bundled();
    List<String> types = list || instanceTypes == null || instanceTypes.isEmpty()
        ? catalog.known().stream().map(InstancePrice::instanceType).toList() : instanceTypes;
    // look every type up before printing anything: an unknown one is an error, not half a table
    catalog.requireRegion(region, "--region");
    List<InstancePrice> prices = types.stream().map(type -> catalog.requireInstanceType(type, "INSTANCE_TYPE")).toList();
    System.out.printf(Locale.ROOT, "%-16s %-18s %4s %7s %12s %12s %8s  %s%n", "instance", "gpu", "gpus", "gpu_gb",
        "spot_usd_h", "ondemand_usd_h", "saving", "source (as of)");
    for (InstancePrice p : prices) {
      BigDecimal saving = io.genbench.cost.CostModel.spotSavingsPct(p.spotUsdPerHour(), p.ondemandUsdPerHour());
      System.out.printf(Locale.ROOT, "%-16s %-18s %4d %7.0f %12s %12s %7s%%  %s (%s)%n", p.instanceType(),
          p.gpu() == null ? "-" : p.gpu(), p.gpus(), p.gpuMemoryGb(), plain(p.spotUsdPerHour()), plain(p.ondemandUsdPerHour()),
          saving == null ? "N/A" : saving.toPlainString(), p.source(), p.asOf());
    }
    System.err.println("prices: " + catalog.description());
    return 0;
  }

  private static String plain(BigDecimal v) {
    return v == null ? "N/A" : v.toPlainString();
  }
}
