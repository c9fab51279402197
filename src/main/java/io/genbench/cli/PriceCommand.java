package io.genbench.cli;

import io.genbench.cost.InstancePrice;
import io.genbench.cost.PriceBook;
import io.genbench.cost.PriceCatalog;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genbench price}: spot and on-demand prices with their source and age. */
@Command(name = "price", mixinStandardHelpOptions = true,
    description = {"Prints spot and on-demand USD/hour of instance types, with where each price came from and when.",
        "Live from the AWS APIs when credentials are found (spot: EC2 DescribeSpotPriceHistory, per zone; on-demand: the"
            + " Pricing API), else from the price cache and the bundled, dated catalog (its spot prices are estimated,"
            + " see the source line). Needs ec2:DescribeSpotPriceHistory and pricing:GetProducts."},
    footer = {"", "Examples:", "  genbench price g5.xlarge g6e.xlarge --region us-west-2", "  genbench price g5.xlarge --offline",
        "  genbench price --list"})
final class PriceCommand implements Callable<Integer> {

  @Parameters(arity = "0..*", paramLabel = "INSTANCE_TYPE", description = "e.g. g5.xlarge g6e.xlarge")
  List<String> instanceTypes;

  @Option(names = "--region", defaultValue = "us-east-1", paramLabel = "R", description = "region (default: ${DEFAULT-VALUE})")
  String region;

  @Option(names = "--offline", description = "no network: the price cache, then the bundled catalog (same as --prices offline)")
  boolean offline;

  @Option(names = "--list", description = "list every instance type the catalog prices")
  boolean list;

  @Mixin
  PriceOptions prices;

  @Override
  public Integer call() {
    PriceCatalog catalog = PriceCatalog.bundled();
    List<String> types = list || instanceTypes == null || instanceTypes.isEmpty()
        ? catalog.known().stream().map(InstancePrice::instanceType).toList() : instanceTypes;
    if (offline) prices.mode = "offline";
    try (PriceBook book = prices.open(false)) {
      // look every type up before printing anything: an unknown one is an error, not half a table
      List<PriceBook.Sourced> quotes = new ArrayList<>();
      for (String type : types) {
        var q = book.quote(type, region);
        if (q.isEmpty()) io.genbench.run.PriceCheck.refuseUnpriced(book, catalog, region, type, "INSTANCE_TYPE");
        quotes.add(q.orElseThrow());
      }
      System.out.printf(Locale.ROOT, "%-16s %-18s %4s %7s %12s %12s %8s  %s%n", "instance", "gpu", "gpus", "gpu_gb",
          "spot_usd_h", "ondemand_usd_h", "saving", "source (as of)");
      for (PriceBook.Sourced s : quotes) {
        InstancePrice p = book.lookup(s.quote().instanceType(), region).orElseThrow();
        BigDecimal saving = io.genbench.cost.CostModel.spotSavingsPct(p.spotUsdPerHour(), p.ondemandUsdPerHour());
        String when = s.source().equals("catalog") ? p.asOf() : p.asOf() + ", " + book.age(s.quote().fetchedAt()) + " old";
        System.out.printf(Locale.ROOT, "%-16s %-18s %4d %7.0f %12s %12s %7s%%  %s (%s)%n", p.instanceType(),
            p.gpu() == null ? "-" : p.gpu(), p.gpus(), p.gpuMemoryGb(), plain(p.spotUsdPerHour()), plain(p.ondemandUsdPerHour()),
            saving == null ? "N/A" : saving.toPlainString(), s.source(), when);
        if (!s.quote().spotUsdPerHourByZone().isEmpty()) {
          System.out.println("  spot by zone: " + s.quote().spotUsdPerHourByZone().entrySet().stream()
              .map(e -> e.getKey() + " " + e.getValue().toPlainString()).collect(Collectors.joining(", "))
              + " (spot_usd_h: the lowest)");
        }
      }
      System.err.println(book.summary());
      if (quotes.stream().anyMatch(s -> s.source().equals("catalog"))) System.err.println("catalog: " + catalog.description());
    }
    return 0;
  }

  private static String plain(BigDecimal v) {
    return v == null ? "N/A" : v.toPlainString();
  }
}
