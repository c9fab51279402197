package io.genbench.capacity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import io.genbench.UserError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A service-level objective: every constraint must hold at a load level. The {@code --slo} grammar:
 *
 * <pre>
 *   slo        := constraint ("," constraint)*          (and --slo may be repeated: all hold)
 *   constraint := [metric "_"] statistic "&lt;=" duration | "error_rate" "&lt;=" number "%"
 *   metric     := response (default) | service | e2e (= response) | ttft | tpot
 *   statistic  := p50 | p90 | p95 | p99 | p99.9 | mean | max
 *   duration   := number ("us" | "µs" | "ms" | "s")
 * </pre>
 *
 * e.g. {@code p95<=2s}, {@code ttft_p99<=500ms,tpot_p50<=50ms}, {@code error_rate<=1%}. {@link #toString()} writes the
 * canonical form ({@code response_p95<=2s}), which parses back to an equal SLO.
 *
 * @param constraints the bounds, in the order given; empty = no SLO (every successful request counts as good)
 */
public record Slo(List<Constraint> constraints) {
  /** No constraint: every level passes, goodput = successful requests per second. */
  public static final Slo NONE = new Slo(List.of());

  /** The grammar, for messages. */
  public static final String SYNTAX = "[METRIC_]STAT<=DURATION or error_rate<=PERCENT%, comma-separated (e.g. p95<=2s,"
      + " ttft_p99<=500ms, error_rate<=1%); metrics: " + Metric.choices() + "; statistics: " + Statistic.choices()
      + "; units: us, ms, s";

  private static final Pattern LATENCY = Pattern.compile("(?:([a-z0-9]+)_)?([a-z0-9.]+)<=([0-9]+(?:\\.[0-9]+)?)([a-zµ]+)");
  private static final Pattern ERROR_RATE = Pattern.compile("error_rate<=([0-9]+(?:\\.[0-9]+)?)(%?)");

  public Slo {
    constraints = List.copyOf(constraints);
  }

  /** Parses one {@code --slo} value; {@code source} names where it came from (e.g. {@code --slo}, {@code load.yaml slo}). */
  public static Slo parse(String text, String source) {
    if (text == null || text.isBlank()) throw new UserError(source + " is empty; expected " + SYNTAX);
    List<Constraint> out = new ArrayList<>();
    for (String part : text.split(",", -1)) out.add(constraint(part.strip(), text, source));
    return new Slo(out).checkedDistinct(source);
  }

  /** Parses repeated {@code --slo} values: all of their constraints hold. */
  public static Slo parse(List<String> texts, String source) {
    List<Constraint> all = new ArrayList<>();
    for (String t : texts) all.addAll(parse(t, source).constraints());
    return new Slo(all).checkedDistinct(source);
  }

  private Slo checkedDistinct(String source) {
    List<String> seen = new ArrayList<>();
    for (Constraint c : constraints) {
      String key = c.toString().substring(0, c.toString().indexOf("<="));
      if (seen.contains(key)) throw new UserError(source + " bounds " + key + " twice (" + this + "); give each bound once");
      seen.add(key);
    }
    return this;
  }

  private static Constraint constraint(String part, String whole, String source) {
    String where = source + " \"" + whole + "\"";
    String p = part.replace(" ", "").toLowerCase(Locale.ROOT);
    if (p.isEmpty()) throw new UserError(where + " has an empty constraint; expected " + SYNTAX);
    if (!p.contains("<=")) {
      String hint = p.contains("<") ? "use \"<=\" (a bound is inclusive)" : "no \"<=\" in \"" + part + "\"";
      throw new UserError(where + ": " + hint + "; expected " + SYNTAX);
    }
    if (p.startsWith("error_rate")) {
      Matcher m = ERROR_RATE.matcher(p);
      if (!m.matches()) throw new UserError(where + ": \"" + part + "\" is no error-rate bound; expected error_rate<=PERCENT%, e.g. error_rate<=1%");
      if (m.group(2).isEmpty()) {
        throw new UserError(where + ": the error rate in \"" + part + "\" needs a % sign (1% means one request in a hundred)");
      }
      BigDecimal pct = new BigDecimal(m.group(1));
      if (pct.compareTo(BigDecimal.valueOf(100)) > 0) throw new UserError(where + ": error rate " + m.group(1) + "% is above 100%");
      return new Constraint.ErrorRate(pct);
    }
    Matcher m = LATENCY.matcher(p);
    if (!m.matches()) throw new UserError(where + ": cannot read \"" + part + "\"; expected " + SYNTAX);
    Metric metric = m.group(1) == null ? Metric.RESPONSE : Metric.byLabel(m.group(1));
    if (metric == null) throw new UserError(where + ": unknown metric \"" + m.group(1) + "\"; valid: " + Metric.choices());
    Statistic stat = Statistic.byLabel(m.group(2));
    if (stat == null) throw new UserError(where + ": unknown statistic \"" + m.group(2) + "\"; valid: " + Statistic.choices());
    BigDecimal number = new BigDecimal(m.group(3));
    BigDecimal seconds = switch (m.group(4)) {
      case "s" -> number;
      case "ms" -> number.scaleByPowerOfTen(-3);
      case "us", "µs" -> number.scaleByPowerOfTen(-6);
      default -> throw new UserError(where + ": unknown unit \"" + m.group(4) + "\" in \"" + part + "\"; valid: us, ms, s");
    };
    if (seconds.signum() == 0) throw new UserError(where + ": a latency bound of 0 in \"" + part + "\" can never be met; give a bound > 0");
    return new Constraint.Latency(metric, stat, seconds);
  }

  /** Whether this SLO holds at a level, and which constraint bound it. */
  public SloCheck check(LevelFigures level) {
    List<SloCheck.Item> items = new ArrayList<>();
    for (Constraint c : constraints) {
      Double observed = c.observed(level);
      items.add(new SloCheck.Item(c, observed, observed != null && observed <= c.limit()));
    }
    return new SloCheck(items);
  }

  /** Whether one request meets every constraint: a failed request never does; with no constraint, every ok one does. */
  public boolean meets(RequestTimes request) {
    if (!request.ok()) return false;
    for (Constraint c : constraints) if (!c.meets(request)) return false;
    return true;
  }

  /** The metrics this SLO bounds, for checking a level can measure them (a TTFT bound needs streaming). */
  @JsonIgnore
  public List<Metric> metrics() {
    return constraints.stream().filter(c -> c instanceof Constraint.Latency).map(c -> ((Constraint.Latency) c).metric())
        .distinct().sorted(Comparator.naturalOrder()).toList();
  }

  @JsonIgnore
  public boolean isEmpty() {
    return constraints.isEmpty();
  }

  /** Read back from its canonical text (results files store an SLO as text). */
  @JsonCreator
  static Slo fromJson(String text) {
    return text.isEmpty() ? NONE : parse(text, "slo");
  }

  @JsonValue
  @Override
  public String toString() {
    return constraints.stream().map(Constraint::toString).collect(Collectors.joining(","));
  }
}
