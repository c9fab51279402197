package io.genbench.load;

/**
 * How a request ended, the same for every {@link LoadEngine}: the error (null for a success) and its message, from
 * the HTTP status or the response reader; and the {@link RequestRecord} of an ended request.
 */
record Outcome(ErrorKind error, String message) {
  /** A response that ended at {@code nowNs}: a non-2xx status is an HTTP error, else what {@code reader} made of the body. */
  static Outcome ofResponse(boolean ok, int status, CharSequence errorBody, ResponseReader reader, long nowNs) {
    if (!ok) return new Outcome(ErrorKind.HTTP_STATUS, "HTTP " + status + ": " + shorten(errorBody.toString()));
    try {
      reader.end(nowNs);
    } catch (RuntimeException e) {
      reader.malformed = "unreadable body: " + e;
    }
    return new Outcome(reader.malformed == null ? null : ErrorKind.MALFORMED, reader.malformed);
  }

  /** A request that failed as {@code kind}: its cause's message, or the kind's label. */
  static Outcome ofFailure(ErrorKind kind, Throwable cause) {
    return new Outcome(kind, cause == null ? kind.label() : shorten(String.valueOf(cause.getMessage() == null ? cause : cause.getMessage())));
  }

  /** The record of {@code call}, ended with this outcome at {@code doneNs}; streaming: first = the first token. */
  RequestRecord record(LoadEngine.Call call, ResponseReader reader, long firedNs, long sentNs, long firstByteNs, long doneNs,
      int status, ServerTiming timing) {
    long first = reader instanceof ResponseReader.Sse ? reader.firstTokenNs : firstByteNs;
    return new RequestRecord(call.target(), call.level(), call.index(), call.warmup(), call.prompt(), call.scheduledNs(), firedNs,
        sentNs, first, doneNs, error, status, error == null ? reader.images : 0, reader.outputTokens, reader.tokensCounted,
        reader.chunkTimes(), error == null ? null : message, timing.queueMs(), timing.computeMs());
  }

  static String shorten(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= 160 ? one : one.substring(0, 157) + "...";
  }
}
