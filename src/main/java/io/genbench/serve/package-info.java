/**
 * {@code genbench serve}: an OpenAI-compatible HTTP endpoint (Vert.x core) on genbench's own models.
 * {@link io.genbench.serve.ImageServer} parses and checks requests ({@link io.genbench.serve.ImageRequest}, errors as
 * {@link io.genbench.serve.ApiError}), the {@link io.genbench.serve.Batcher} groups those of one shape into batches
 * for an {@link io.genbench.serve.ImageBackend} (the in-JVM ONNX default, {@link io.genbench.serve.OnnxImageBackend};
 * or the PyTorch worker, {@link io.genbench.serve.WorkerImageBackend}, one supervised
 * {@link io.genbench.serve.WorkerProcess} per GPU). For an LLM the same worker backend is a
 * {@link io.genbench.serve.TextBackend} behind {@link io.genbench.serve.Completions} ({@code /v1/completions},
 * {@code /v1/chat/completions}, SSE). Imports execute (the embedded model), plan
 * (resolutions, models) and metrics.
 */
package io.genbench.serve;
