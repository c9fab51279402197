package io.genbench.cli;

import io.genbench.UserError;

/** The {@code --format} of the commands that print a table or its JSON: {@code md} or {@code json}. */
final class OutputFormat {
  private OutputFormat() {}

  /** True for {@code json}, false for {@code md}; anything else is a usage error naming the choices. */
  static boolean json(String format) {
    return switch (format) {
      case "md" -> false;
      case "json" -> true;
      default -> throw new UserError("--format must be md or json, was '" + format + "'");
    };
  }
}
