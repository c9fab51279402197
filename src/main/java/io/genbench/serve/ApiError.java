package io.genbench.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genbench.Json;

/**
 * An error answered in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 * {@code param} names the request field at fault, or is null.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  public ApiError(int status, String type, String param, String code, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400 for a field: {@code invalid_request_error}, the field named. */
  public static ApiError field(String param, String code, String message) {
    return new ApiError(400, "invalid_request_error", param, code, message);
  }

  public int status() {
    return status;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }

  public String type() {
    return type;
  }

  /** The response body. */
  public String body() {
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.put("message", getMessage());
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.set("error", error);
    return root.toString();
  }
}
