package io.genbench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials masked wherever a command line, a URL, an environment or a message is recorded or printed
 * ({@code environment.json}, {@code results.json}, history records, console and error messages). What is masked, each
 * replaced by {@value #MASK}:
 * <ul>
 *   <li>the value of a {@code KEY=VALUE} whose key names a secret ({@code password=}, {@code pwd=},
 *       {@code aws_secret_access_key=}, {@code X_TOKEN=}, {@code api_key=}, ...), up to {@code &}, {@code ;}, a comma,
 *       a quote or white space;</li>
 *   <li>the password of a URL's user info ({@code scheme://user:PASSWORD@host}, or {@code user:PASSWORD@host} alone
 *       as drivers quote it; the user stays);</li>
 *   <li>AWS access key ids ({@code AKIA…}, {@code ASIA…}): the prefix stays;</li>
 *   <li>in a command line, the argument after an option that names a secret ({@code --password X});</li>
 *   <li>in an environment, the value of a variable that names a secret ({@code *_PASSWORD}, {@code *_TOKEN},
 *       {@code *_SECRET*}, {@code *_API_KEY}, {@code *_CREDENTIALS}, ...).</li>
 * </ul>
 * A key names a secret when it contains {@code password}, {@code passwd}, {@code pwd}, {@code secret}, {@code token}
 * (not {@code tokens} or {@code tokenizer}: {@code --max-tokens} is a setting), {@code api_key}/{@code apikey}, {@code access_key},
 * {@code credential} or {@code private_key}, ignoring case.
 */
public final class Secrets {
  /** What a secret is replaced by. */
  public static final String MASK = "***";

  private static final String SECRET_WORD =
      "(?:password|passwd|pwd|secret|token(?![A-Za-z])|api[_.-]?key|access[_.-]?key|credential|private[_.-]?key)";
  private static final Pattern SECRET_NAME = Pattern.compile("(?i)[A-Za-z0-9_.-]*" + SECRET_WORD + "[A-Za-z0-9_.-]*");
  private static final Pattern KEY_VALUE = Pattern.compile(
      "(?i)(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*" + SECRET_WORD + "[A-Za-z0-9_.-]*\\s*[=:]\\s*)([^\\s&;,'\"]+)");
  private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^/@\\s:?#]*):([^/@\\s?#]*)@");
  /** {@code user:pass@host} without its scheme, as drivers quote it in their messages. */
  private static final Pattern BARE_USER_INFO = Pattern.compile("(?<![^\\s\"'(,;=])([A-Za-z0-9._%+-]+):([^\\s/@:]+)@(?=[A-Za-z0-9\\[])");
  private static final Pattern AWS_KEY_ID = Pattern.compile("(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])");

  /** The words our own help texts use for a secret's place ({@code ?password=SECRET}): no secret, kept readable. */
  private static final Set<String> PLACEHOLDERS = Set.of(MASK, "SECRET", "PASSWORD", "TOKEN", "P");

  private Secrets() {}

  /** {@code text} with every credential in it masked; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) return text;
    String s = KEY_VALUE.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)
        + (PLACEHOLDERS.contains(m.group(2)) ? m.group(2) : MASK)));
    s = USER_INFO.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    s = BARE_USER_INFO.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    return AWS_KEY_ID.matcher(s).replaceAll("$1" + MASK);
  }

  /** A command line with every credential masked, including the value that follows an option naming a secret. */
  public static List<String> redact(List<String> args) {
    List<String> out = new ArrayList<>(args.size());
    boolean valueOfSecretOption = false;
    for (String arg : args) {
      out.add(valueOfSecretOption ? MASK : redact(arg));
      valueOfSecretOption = arg != null && arg.startsWith("-") && !arg.contains("=") && namesSecret(arg);
    }
    return out;
  }

  /** An environment with the values of variables that name a secret masked, and credentials in the others. */
  public static Map<String, String> redact(Map<String, String> environment) {
    Map<String, String> out = new LinkedHashMap<>();
    environment.forEach((name, value) -> out.put(name, namesSecret(name) ? MASK : redact(value)));
    return out;
  }

  /** Whether a variable, option or parameter name names a secret ({@code DB_PASSWORD}, {@code --api-token}). */
  public static boolean namesSecret(String name) {
    return name != null && SECRET_NAME.matcher(name.replaceFirst("^-+", "")).matches();
  }
}
