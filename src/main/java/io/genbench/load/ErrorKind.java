package io.genbench.load;

/** Why a request did not succeed; counted per kind and shown in every view, never a crash. */
public enum ErrorKind {
  /** The server answered with a status outside 2xx. */
  HTTP_STATUS("http-status"),
  /** No complete response within the request timeout (measured from the send). */
  TIMEOUT("timeout"),
  /** Connection refused, reset or closed mid-response. */
  CONNECTION("connection"),
  /** A 2xx response whose body is not what the API promises (bad JSON, no images, no result at the pointer). */
  MALFORMED("malformed"),
  /** Still waiting for a connection or a response when the level's drain time ran out. */
  UNFINISHED("unfinished");

  private final String label;

  ErrorKind(String label) {
    this.label = label;
  }

  /** The lower-case name used in files and reports. */
  public String label() {
    return label;
  }
}
