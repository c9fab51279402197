package io.genbench.run;

import io.genbench.UserError;
import io.genbench.cost.PriceBook;
import io.genbench.cost.PriceCatalog;
import java.util.ArrayList;
import java.util.List;

/** The check of what a run (or {@code genbench price}) prices by, before anything runs or prints. */
public final class PriceCheck {
  private PriceCheck() {}

  /**
   * The one check of what a run prices by, before it starts: every requested type and the actual instance must be
   * priced by some source (live, cache or catalog), else every cost would be N/A ({@code refuse}: false for a resumed
   * run, which goes on whatever the prices). Says once where prices came from.
   */
  public static void requirePriced(PriceBook book, String region, List<String> types, String actualInstance, String plan, boolean refuse) {
    PriceCatalog catalog = PriceCatalog.bundled();
    List<String[]> all = new ArrayList<>();
    types.forEach(t -> all.add(new String[] {t, plan}));
    if (actualInstance != null) all.add(new String[] {actualInstance, "--actual-instance"});
    for (String[] t : all) {
      if (book.quote(t[0], region).isEmpty() && refuse) refuseUnpriced(book, catalog, region, t[0], t[1]);
    }
    System.err.println("genbench: " + book.summary());
  }

  /**
   * Exits 2 for a type no source prices, in one message: a region the catalog does not price is named with the regions
   * it has and why no live price came (before, "using no price" was printed, then the region error).
   */
  public static void refuseUnpriced(PriceBook book, PriceCatalog catalog, String region, String type, String origin) {
    if (!catalog.region().equals(region)) {
      try {
        catalog.requireRegion(region, "--region");
      } catch (UserError e) {
        throw new UserError(e.getMessage() + " No live price either: " + book.summary().replaceFirst("^prices: ", "") + ".");
      }
    }
    System.err.println("genbench: " + book.summary());
    catalog.requireInstanceType(type, origin);
  }
}
