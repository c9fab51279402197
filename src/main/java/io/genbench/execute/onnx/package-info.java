/**
 * The in-JVM ONNX loop ({@code --backend onnx}): {@link io.genbench.execute.onnx.OnnxExecutor} runs a tiny ONNX model on
 * this CPU through ONNX Runtime, with its internals (the Euler scheduler, token feeding, native-call and native-heap
 * accounting, the resident-set sampler, the load meter and the measure stop rule). Imports execute's executor contract,
 * wire, plan, analyze and env's host probes; only {@code cli} builds it ({@code ImportRulesTest} checks both).
 */
package io.genbench.execute.onnx;
