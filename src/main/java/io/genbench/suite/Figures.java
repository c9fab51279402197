package io.genbench.suite;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;

/**
 * How every figure of the suite's views is written: plain decimal notation (never {@code 2.29E-4}), rounded to
 * {@value #SIGNIFICANT} significant digits, with a point under any locale. Integers stay integers.
 */
public final class Figures {
  private Figures() {}

  public static final int SIGNIFICANT = 6;

  private static final ObjectWriter JSON = Json.MAPPER.writerWithDefaultPrettyPrinter()
      .with(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN);

  /** {@code v} to {@value #SIGNIFICANT} significant digits, trailing zeros dropped; null for NaN and infinities. */
  public static BigDecimal decimal(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) return null;
    if (v == 0) return BigDecimal.ZERO;
    BigDecimal d = new BigDecimal(v).round(new MathContext(SIGNIFICANT, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0) : d;
  }

  /** Plain text of {@link #decimal(double)}, e.g. {@code 0.000229}, {@code 1328.46}, {@code 332124}; "N/A" when not finite. */
  public static String plain(double v) {
    BigDecimal d = decimal(v);
    return d == null ? "N/A" : d.toPlainString();
  }

  /** A copy of {@code node} with every floating-point number replaced by its rounded plain decimal. */
  public static JsonNode rounded(JsonNode node) {
    if (node.isFloatingPointNumber()) {
      BigDecimal d = decimal(node.asDouble());
      return d == null ? Json.MAPPER.getNodeFactory().nullNode() : DecimalNode.valueOf(d);
    }
    if (node instanceof ObjectNode o) {
      ObjectNode out = Json.MAPPER.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        var f = it.next();
        out.set(f.getKey(), rounded(f.getValue()));
      }
      return out;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode out = Json.MAPPER.createArrayNode();
      a.forEach(e -> out.add(rounded(e)));
      return out;
    }
    return node;
  }

  /** Indented JSON with every figure in plain notation. */
  public static String json(JsonNode node) {
    try {
      return JSON.writeValueAsString(rounded(node));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
