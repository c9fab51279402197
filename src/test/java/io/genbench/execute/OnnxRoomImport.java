package io.genbench.execute;

/** A fixture for ImportRulesTest: the runner's room reaching into the ONNX loop's, which the rules forbid. Never used. */
public final class OnnxRoomImport {
  String backend(io.genbench.execute.onnx.OnnxExecutor executor) {
    return executor.backend();
  }
}
