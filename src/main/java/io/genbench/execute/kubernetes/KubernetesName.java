package io.genbench.execute.kubernetes;

import io.genbench.UserError;
import java.util.regex.Pattern;

/**
 * The names a user hands to {@code --executor kubernetes}, checked as the API server and the container runtime check
 * them: a value that breaks its rule exits 2 naming the option and the rule, before any manifest is built.
 */
public enum KubernetesName {
  /** A namespace: an RFC 1123 label. */
  DNS1123_LABEL(63, "[a-z0-9]([-a-z0-9]*[a-z0-9])?",
      "a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"),
  /** A service account or a secret: an RFC 1123 subdomain. */
  DNS1123_SUBDOMAIN(253, "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
      "a DNS-1123 subdomain: at most 253 characters, dot-separated labels of lower-case letters, digits and '-', each"
          + " starting and ending with a letter or digit"),
  /** A container image: the distribution spec's reference grammar. */
  IMAGE_REFERENCE(255 + 1 + 128 + 1 + 1024, Images.REFERENCE,
      "an image reference [host[:port]/]path[:tag][@digest]: path components of lower-case letters and digits"
          + " joined by '.', '_', '__' or '-', a tag of at most 128 of [A-Za-z0-9_.-], a digest such as sha256:<hex>");

  private final int maxLength;
  private final Pattern pattern;
  private final String rule;

  KubernetesName(int maxLength, String regex, String rule) {
    this.maxLength = maxLength;
    this.pattern = Pattern.compile(regex);
    this.rule = rule;
  }

  /** Whether {@code value} follows this rule. */
  public boolean accepts(String value) {
    if (value == null || value.isEmpty() || value.length() > maxLength || !pattern.matcher(value).matches()) return false;
    return this != IMAGE_REFERENCE || Images.nameLength(value) <= 255;
  }

  /** Returns {@code value}, or throws a {@link UserError} naming {@code option} and this rule. */
  public String require(String option, String value) {
    if (!accepts(value)) {
      throw new UserError(option + " " + quoted(value) + " is not " + rule + ".");
    }
    return value;
  }

  /** The value as it can be shown on one line: control characters escaped, at most 80 characters. */
  private static String quoted(String value) {
    if (value == null) return "(none)";
    StringBuilder out = new StringBuilder("\"");
    value.codePoints().limit(80).forEach(c -> {
      if (c == '\n') out.append("\\n");
      else if (c == '\r') out.append("\\r");
      else if (c == '\t') out.append("\\t");
      else if (c == '"' || c == '\\') out.append('\\').appendCodePoint(c);
      else if (Character.isISOControl(c)) out.append(String.format("\\u%04x", c));
      else out.appendCodePoint(c);
    });
    if (value.codePointCount(0, value.length()) > 80) out.append("...");
    return out.append('"').toString();
  }

  /** The grammar of github.com/distribution/reference (regexp.go). */
  private static final class Images {
    static final String ALPHANUMERIC = "[a-z0-9]+";
    static final String SEPARATOR = "(?:[._]|__|[-]+)";
    static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    static final String HOST = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])";
    static final String DOMAIN = HOST + "(?::[0-9]+)?";
    static final String NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    static final String TAG = "[\\w][\\w.-]{0,127}";
    static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    static final String REFERENCE = "(" + NAME + ")(?::" + TAG + ")?(?:@" + DIGEST + ")?";
    private static final Pattern WHOLE = Pattern.compile(REFERENCE);

    /** The length of the name part (before tag and digest), which the grammar limits to 255. */
    static int nameLength(String reference) {
      var m = WHOLE.matcher(reference);
      return m.matches() ? m.group(1).length() : Integer.MAX_VALUE;
    }
  }
}
