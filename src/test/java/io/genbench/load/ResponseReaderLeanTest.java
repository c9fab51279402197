package io.genbench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The lean tree for large whole bodies gives the same verdicts and counts as the full {@code readTree}. */
class ResponseReaderLeanTest {
  private static final String LONG = "QUJD".repeat(300); // 1,200 bytes: over SHORT_STRING
  private static final String ESCAPED_LONG = "a\\\"b\\\\c\\u00e9\\n".repeat(40); // escapes all through, 600 bytes

  private static Map<String, BiFunction<JsonNode, ResponseReader, String>> checks() {
    Map<String, BiFunction<JsonNode, ResponseReader, String>> c = new LinkedHashMap<>();
    c.put("images b64_json", ResponseReader.imagesCheck("b64_json"));
    c.put("images url", ResponseReader.imagesCheck("url"));
    c.put("completion", ResponseReader.completionCheck());
    for (String at : List.of("/images", "/data", "/data/0/b64_json", "/missing", "/nothing", "/empty", "/nested", "/nested/0",
        "/0", "")) {
      c.put("pointer " + at, ResponseReader.pointerCheck(JsonPointer.compile(at)));
    }
    return c;
  }

  private static List<byte[]> bodies() {
    List<String> s = new ArrayList<>(List.of(
        "{\"created\":1,\"data\":[{\"b64_json\":\"" + LONG + "\"},{\"b64_json\":\"" + LONG + "\"}]}",
        "{\"data\":[{\"b64_json\":\"\"},{\"b64_json\":null},{\"url\":\"" + LONG + "\"},{\"b64_json\":\"" + ESCAPED_LONG + "\"}]}",
        "{\"data\":[{\"url\":\"http://x/y.png\"}],\"images\":[\"" + LONG + "\",\"\",\"" + LONG + "\"],\"nothing\":null,\"empty\":[]}",
        "{\"nested\":[[\"" + LONG + "\",\"b\"],[\"" + LONG + "\"],[]],\"data\":{\"b64_json\":\"" + LONG + "\"}}",
        "{\"data\":\"" + LONG + "\"}",
        "{\"data\":[],\"data\":[{\"b64_json\":\"" + LONG + "\"}]}", // a repeated key: the last wins
        "{\"data\":[{\"b64_json\":\"" + LONG + "\"}]} trailing text, ignored",
        "[\"" + LONG + "\",{\"b64_json\":\"" + LONG + "\"}]",
        "{\"choices\":[{\"text\":\"" + LONG + "\"}],\"usage\":{\"completion_tokens\":17}}",
        "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"" + LONG + "\"}}],\"usage\":{\"completion_tokens\":5.0}}",
        "{\"choices\":[{\"text\":\"hi\"}],\"usage\":{\"completion_tokens\":\"17\"}}",
        "{\"choices\":[{\"text\":\"hi\"}],\"usage\":{\"completion_tokens\":3000000000}}",
        "{\"choices\":[{\"text\":\"hi\"}],\"usage\":{\"completion_tokens\":123456789012345678901234567890}}",
        "{\"choices\":[],\"usage\":{\"completion_tokens\":3,\"x\":[1.5e300,-2,true,false,null]}}",
        "{\"choices\":{}}",
        // malformed
        "{\"data\":[{\"b64_json\":\"" + LONG + "\\q" + LONG + "\"}]}", // a bad escape deep in a long string
        "{\"data\":[{\"b64_json\":\"" + LONG + "\n" + LONG + "\"}]}", // a raw control character in a long string
        "{\"data\":[{\"b64_json\":\"" + LONG + "\"}]", // the object never closes
        "{\"data\":[{\"b64_json\":\"" + LONG, // cut inside a long string
        "{\"data\":[{\"b64_json\":\"abc", // cut inside a short string
        "{\"data\":[{\"b64_json\":\"" + LONG + "\" \"x\"}]}", // a missing colon / comma after a long string
        "{\"data\":[{\"b64_json\":" + LONG + "}]}", // an unquoted value
        "\"" + LONG + "\"", "42", "null", "", "   ", "nonsense", "{", "[", "]"));
    List<byte[]> b = new ArrayList<>();
    for (String x : s) b.add(x.getBytes(StandardCharsets.UTF_8));
    byte[] badUtf8 = ("{\"data\":[{\"b64_json\":\"" + LONG + "\u0001" + LONG + "\"}]}").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < badUtf8.length; i++) if (badUtf8[i] == 1) badUtf8[i] = (byte) 0xC3; // a lead byte, no continuation
    b.add(badUtf8);
    b.add(("{\"data\":[{\"b64_json\":\"" + LONG + "\u00e9\u20ac\"}]}").getBytes(StandardCharsets.UTF_8));
    b.add(("{\"data\":[{\"b64_json\":\"" + LONG + "\"}]}").getBytes(StandardCharsets.UTF_16BE));
    byte[] plain = ("{\"data\":[{\"b64_json\":\"" + LONG + "\"}]}").getBytes(StandardCharsets.UTF_8);
    byte[] bom = new byte[plain.length + 3];
    bom[0] = (byte) 0xEF;
    bom[1] = (byte) 0xBB;
    bom[2] = (byte) 0xBF;
    System.arraycopy(plain, 0, bom, 3, plain.length);
    b.add(bom);
    b.add(BodyReadRate.imagesBody(8, BodyReadRate.IMAGE_BASE64, 3)); // eight 768² PNGs' worth of base64
    return b;
  }

  private static ResponseReader read(BiFunction<JsonNode, ResponseReader, String> check, byte[] body, int leanFrom, int piece,
      long announced) {
    ResponseReader r = new ResponseReader.Whole(check, leanFrom);
    if (announced >= 0) r.expect(announced);
    long now = 0;
    for (int at = 0; at < body.length; at += piece) r.feed(body, at, Math.min(piece, body.length - at), ++now);
    r.end(++now);
    return r;
  }

  private static String verdict(ResponseReader r) {
    return "images=" + r.images + " tokens=" + r.outputTokens + " counted=" + r.tokensCounted + " first=" + r.firstTokenNs
        + " malformed=" + r.malformed;
  }

  @Test
  void leanAndFullTreesGiveTheSameVerdicts() {
    int compared = 0;
    for (byte[] body : bodies()) {
      for (Map.Entry<String, BiFunction<JsonNode, ResponseReader, String>> c : checks().entrySet()) {
        String full = verdict(read(c.getValue(), body, Integer.MAX_VALUE, 8192, -1));
        String where = c.getKey() + " on " + new String(body, 0, Math.min(80, body.length), StandardCharsets.UTF_8);
        assertEquals(full, verdict(read(c.getValue(), body, 0, 8192, -1)), where);
        assertEquals(full, verdict(read(c.getValue(), body, 0, 1000, body.length)), where + " (length announced)");
        assertEquals(full, verdict(read(c.getValue(), body, ResponseReader.Whole.LEAN_FROM, 8192, 10)), where + " (default)");
        compared++;
      }
    }
    assertTrue(compared > 400, "compared " + compared);
  }

  @Test
  void theVerdictsAreTheExpectedOnes() {
    List<byte[]> b = bodies();
    BiFunction<JsonNode, ResponseReader, String> images = ResponseReader.imagesCheck("b64_json");
    assertEquals("images=2 tokens=0 counted=false first=1 malformed=null", verdict(read(images, b.get(0), 0, 8192, -1)));
    assertEquals(2, read(images, b.get(1), 0, 100, -1).images); // "" counts, null does not
    assertEquals(1, read(images, b.get(5), 0, 100, -1).images); // the repeated key's last value
    assertEquals("body is not JSON", read(images, b.get(15), 0, 100, -1).malformed); // a bad escape inside a skipped string
    assertEquals("body is not JSON", read(images, b.get(16), 0, 100, -1).malformed); // a control character inside one
    assertEquals("body is not JSON", read(images, b.get(b.size() - 5), 0, 100, -1).malformed); // bad UTF-8 inside one
    assertEquals("body is not a JSON object", read(images, b.get(22), 0, 100, -1).malformed);
    assertEquals(8, read(images, b.get(b.size() - 1), 0, 8192, b.get(b.size() - 1).length).images);
    ResponseReader tokens = read(ResponseReader.completionCheck(), b.get(8), 0, 100, -1);
    assertEquals(17, tokens.outputTokens);
    assertNull(tokens.malformed);
    assertEquals(3, read(ResponseReader.pointerCheck(JsonPointer.compile("/images")), b.get(2), 0, 100, -1).images);
    assertEquals(3, read(ResponseReader.pointerCheck(JsonPointer.compile("/nested")), b.get(3), 0, 100, -1).images);
  }

  @Test
  void aLeanTreeKeepsShortStringsAndLeavesLongOnesUndecoded() throws Exception {
    byte[] body = ("{\"short\":\"a\\\"b\",\"empty\":\"\",\"long\":\"" + LONG + "\",\"n\":[1,2.5]}").getBytes(StandardCharsets.UTF_8);
    JsonNode lean = ResponseReader.leanTree(body, body.length);
    assertEquals("a\"b", lean.get("short").textValue());
    assertEquals("", lean.get("empty").textValue());
    assertSame(ResponseReader.LONG_STRING, lean.get("long"));
    assertTrue(lean.get("n").get(0).isInt() && lean.get("n").get(1).isDouble());
    assertNull(ResponseReader.leanTree("42".getBytes(StandardCharsets.UTF_8), 2));
  }

  @Test
  void anImageOverJacksonsStringLimitIsCountedNotCalledMalformed() {
    byte[] body = BodyReadRate.imagesBody(1, 20_400_000, 9); // 20.4 M characters of base64: readTree refuses over 20 M
    ResponseReader r = read(ResponseReader.imagesCheck("b64_json"), body, ResponseReader.Whole.LEAN_FROM, 1 << 20, body.length);
    assertEquals("images=1 tokens=0 counted=false first=1 malformed=null", verdict(r));
  }
}
