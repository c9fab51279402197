package io.genbench.report;

import java.util.Locale;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs each test under a German locale (decimal commas), as JMH does, and restores the default after it. */
final class GermanLocale implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GermanLocale.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("saved", Locale.getDefault());
    Locale.setDefault(Locale.GERMANY);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Locale.setDefault(context.getStore(NS).get("saved", Locale.class));
  }
}
