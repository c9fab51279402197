/**
 * {@code genbench serve}: an OpenAI-compatible HTTP endpoint (Vert.x core) on genbench's own models.
 * {@link io.genbench.serve.ImageServer} parses and checks requests ({@link io.genbench.serve.ImageRequest}, errors as
 * {@link io.genbench.serve.ApiError}), the {@link io.genbench.serve.Batcher} groups those of one shape into batches
 * for an {@link io.genbench.serve.ImageBackend} (the in-JVM ONNX default, {@link io.genbench.serve.OnnxImageBackend};
 * a supervised worker process plugs in behind the same interface). Imports execute (the embedded model), plan
 * (resolutions, models) and metrics.
 */
package io.genbench.serve;
