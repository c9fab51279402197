package io.genbench.load;

/**
 * One request as sent and answered: the raw record every figure is computed from. Stamps are {@link LoadClock}
 * nanoseconds; 0 means the moment never came (a request that never got a connection has no {@code sentNs}).
 *
 * @param target index of the endpoint in the plan's targets
 * @param level index of the load level
 * @param index the request's number in its level, from 0
 * @param warmup true for warm-up requests, which no figure includes
 * @param prompt index of the prompt sent (in the prompts list), -1 without prompts
 * @param scheduledNs when the schedule wanted it sent (the anchor of the response time)
 * @param firedNs when the scheduler handed it to the client (a request then waits for a free connection)
 * @param sentNs when its connection was ready and the request was written
 * @param firstByteNs first byte of the body (non-streaming) or first token / first partial image (streaming)
 * @param doneNs when the response ended or the request failed
 * @param error null on success, else why it failed
 * @param httpStatus the response's status code, 0 when none came
 * @param images images returned (image APIs), 0 otherwise
 * @param outputTokens output tokens (LLM APIs): the server's {@code usage}, else the chunks counted
 * @param tokensCounted true when {@code outputTokens} was counted from chunks because the server sent no usage
 * @param chunkNs arrival times of every token-bearing chunk (streaming), empty otherwise
 * @param message a short error detail, null on success
 * @param serverQueueMs the server's own queue time in ms from its {@code Server-Timing} header, null when it sent none
 * @param serverComputeMs the server's own compute time in ms from its {@code Server-Timing} header, null when it sent none
 */
public record RequestRecord(int target, int level, int index, boolean warmup, int prompt, long scheduledNs, long firedNs,
    long sentNs, long firstByteNs, long doneNs, ErrorKind error, int httpStatus, int images, int outputTokens,
    boolean tokensCounted, long[] chunkNs, String message, Double serverQueueMs, Double serverComputeMs) {

  public boolean ok() {
    return error == null;
  }

  /** done − scheduled: the headline, which includes every wait (no coordinated omission). */
  public long responseNs() {
    return doneNs - scheduledNs;
  }

  /** done − sent: what the server took once the request was on the wire; -1 when never sent. */
  public long serviceNs() {
    return sentNs == 0 ? -1 : doneNs - sentNs;
  }

  /** sent − scheduled: the generator's lateness plus the wait for a free connection; -1 when never sent. */
  public long dispatchLagNs() {
    return sentNs == 0 ? -1 : sentNs - scheduledNs;
  }

  /** fired − scheduled: the scheduler's own lateness alone (what judges the generator). */
  public long fireLagNs() {
    return firedNs - scheduledNs;
  }

  /** first token − sent; -1 without a first token. */
  public long ttftNs() {
    return firstByteNs == 0 || sentNs == 0 ? -1 : firstByteNs - sentNs;
  }

  /** first token − scheduled; -1 without a first token. */
  public long ttftFromScheduleNs() {
    return firstByteNs == 0 ? -1 : firstByteNs - scheduledNs;
  }

  /** (done − first token) / (output tokens − 1); -1 with fewer than two tokens. */
  public long tpotNs() {
    return outputTokens < 2 || firstByteNs == 0 ? -1 : (doneNs - firstByteNs) / (outputTokens - 1);
  }

  /** Whether the server said anything of its own time (a {@code Server-Timing} header with queue or compute). */
  public boolean serverTimed() {
    return serverQueueMs != null || serverComputeMs != null;
  }

  /** response − the server's compute: the serving overhead as the client sees it; null without the server's compute. */
  public Long overheadNs() {
    return serverComputeMs == null ? null : responseNs() - Math.round(serverComputeMs * 1e6);
  }
}
