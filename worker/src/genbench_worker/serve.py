"""`python3 -m genbench_worker.serve --model M [...]`: the worker's serving mode (protocol/PROTOCOL.md, "Serving").

The model is built once, through the same registry and `ModelCache` as `genbench run` (random weights, or local
`--weights`; `--tiny` for tests). Then requests arrive on stdin, one JSON object per line, and are answered on stdout,
one JSON object per line, one request at a time (format file: once its compute is done, `computed` goes out, then
the pixels are copied into the file's mapping, kept for the life of the worker (pixel_files.py), and the `images` line
follows); stderr is free text (the log):

    in   {"type": "images", "id": "r1", "prompts": [...], "seeds": [...], "width": W, "height": H, "steps": N,
          "guidance": G, "format": "file" | "rgb" | "png", "pixels_file": PATH (format file)}
    out  {"type": "soon", "id": "r1", "within_ms": ...}      with --soon-ms, before the compute's expected end
    out  {"type": "computed", "id": "r1", "compute_ns": ...}                                   format file, first
    out  {"type": "images", "id": "r1", "compute_ns": ..., "pixels_ns": ...,
          "pixels_file": PATH, "images": [{"width", "height", "offset", "length"}]}             format file
    out  {"type": "images", "id": "r1", "compute_ns": ..., "pixels_ns": ...,
          "images": [{"width", "height", "rgb_b64" | "png_b64"}]}                              format rgb | png

    in   {"type": "generate", "id": "r2", "prompt": "text" | null, "prompt_ids": [ids] | null, "max_tokens": N,
          "stream": true, "ignore_eos": false}
    out  {"type": "token", "id": "r2", "index": 0, "token_id": 7, "text": "..."}     one per token when streaming
         {"type": "completion", "id": "r2", "token_ids": [...], "text": "...", "prompt_tokens": P,
          "completion_tokens": C, "finish_reason": "length" | "stop", "ttft_ns": ..., "compute_ns": ...}

    out  {"type": "error", "id": ..., "kind": "bad_request" | <failed.kind>, "message": "..."}   the worker goes on

The first line out is `ready` (model, family, load_ns, parameters, weights, device, torch) once the model is built, or
`fatal` (kind, message) and exit 1 when it cannot be. End of input ends the worker (exit 0). Compute times are the
worker's monotonic clock around the work, the device synchronized before each reading.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import select
import sys
import threading
import time
from collections import OrderedDict, deque
from typing import Any, Callable, Dict, List, Optional

from . import __version__

MAX_IMAGES = 64
MAX_SIDE = 2048
MAX_STEPS = 1000
MAX_PROMPT_CHARS = 100_000
BYTE_OFFSET = 3  # byte tokenizer: ids 0..2 are OPT's <pad>(1) and <s>/</s>(2) neighbourhood; byte b is id b + 3
OPT_EOS = 2
MAX_GRAPHS = 8  # captured UNet graphs kept (one per batch shape), least recently used dropped first


class BadRequest(ValueError):
    """A request the worker refuses (names the field); answered with `error` kind bad_request."""


# ---------------------------------------------------------------------------------------------- wire

class Wire:
    """stdout for results only: fd 1 is duplicated for the results and then pointed at stderr, so stray prints from
    torch or a library go to the log rather than into the stream."""

    def __init__(self, sink):
        self._sink = sink

    @classmethod
    def claim(cls) -> "Wire":
        sys.stdout.flush()
        fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        return cls(os.fdopen(fd, "wb", buffering=0))

    def send(self, message: Dict[str, Any]) -> None:
        self._sink.write((json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------------- the model

def build(model: str, *, tiny: bool, precision: str, weights: Optional[str], backend: str, device, seed: int,
          cache=None):
    """(LoadedModel, build seconds as ns) through the cache `genbench run` uses; the case stands for the served model."""
    from .backends import ModelCache  # noqa: PLC0415 (imports torch)
    from .case import Case  # noqa: PLC0415

    case = Case.build(id="serve", model=model, tiny=tiny, precision=precision, weights=weights, backend=backend, seed=seed)
    cache = cache if cache is not None else ModelCache()
    loaded, _ = cache.get(case, device)
    return loaded


def channels_last_for(family: str, on_cuda: bool, max_batch: int) -> bool:
    """The UNet's memory format as `run`'s auto picks it (case.CHANNELS_LAST_MAX_BATCH): channels_last for the SD 1.x/2.x
    UNet on CUDA only when no batch is larger than that; a served SD 2.1 768^2 batch of 8 computed 1,586 ms with it
    against run's 1,456 ms without (H100, bench/RESULTS.md §18)."""
    from .case import CHANNELS_LAST_MAX_BATCH  # noqa: PLC0415

    return family == "sd" and on_cuda and max_batch <= CHANNELS_LAST_MAX_BATCH


class SoonNotice:
    """Tells the controller, on a thread of its own, that a batch's compute is about to end: a `soon` line `lead_ns`
    before the end the shortest of the last computes of the same shape predicts, saying within how many ms the
    computed line should follow (the spread of those computes, plus twice the lead, at most MAX_WITHIN_MS). The
    controller's reader, woken by it off the request's path, then polls for that line instead of sleeping in the read
    (issue 20: the read of the `computed` line after a 270 ms compute was 0.10 ms P50, 0.29 ms P99 of the serving
    overhead on an H100 host). Nothing is said for a shape seen for the first time, with `lead_ns` 0 (the default: the
    controller asks for it where its threads poll), or once the compute is over: `done()` disarms it, and every line
    goes out under the same lock, so a `soon` never follows its `computed`."""

    MAX_WITHIN_MS = 50.0
    RECENT = 16

    def __init__(self, send: Callable[[Dict[str, Any]], None], lead_ns: int,
                 clock: Callable[[], int] = time.perf_counter_ns):
        self._send = send
        self.lead_ns = max(0, int(lead_ns))
        self._clock = clock
        self.cond = threading.Condition()
        self._armed = None  # (id, moment to say it, within_ms)
        self._recent: Dict[tuple, Any] = {}
        self._closed = False
        self.said = 0
        if self.lead_ns:
            threading.Thread(target=self._run, name="genbench-soon", daemon=True).start()

    def send(self, message: Dict[str, Any]) -> None:
        """Sends a line of the worker's own, never in the middle of a `soon`."""
        with self.cond:
            self._send(message)

    def expect(self, key: tuple, rid: str, start_ns: int) -> None:
        """A compute of shape `key` for request `rid` started at `start_ns`."""
        recent = self._recent.get(key)
        if not self.lead_ns or not recent:
            return
        low, high = min(recent), max(recent)
        within_ms = min(self.MAX_WITHIN_MS, (high - low + 2 * self.lead_ns) / 1e6)
        with self.cond:
            self._armed = (rid, start_ns + low - self.lead_ns, within_ms)
            self.cond.notify()

    def done(self, key: tuple, compute_ns: Optional[int]) -> None:
        """The compute is over (its time, or None when it failed): nothing more is said for it."""
        if not self.lead_ns:
            return  # nothing is ever said: no history to keep
        with self.cond:
            self._armed = None
        if compute_ns is not None:
            if key not in self._recent:
                self._recent[key] = deque(maxlen=self.RECENT)
            self._recent[key].append(int(compute_ns))

    def close(self) -> None:
        with self.cond:
            self._closed = True
            self.cond.notify()

    def _run(self) -> None:
        with self.cond:
            while not self._closed:
                if self._armed is None:
                    self.cond.wait()
                    continue
                rid, at, within_ms = self._armed
                now = self._clock()
                if now < at:
                    self.cond.wait((at - now) / 1e9)
                    continue
                self._armed = None
                self._send({"type": "soon", "id": rid, "within_ms": round(within_ms, 3)})
                self.said += 1


class Server:
    """Answers requests for one built model. `clock` is a monotonic nanosecond clock; `sync` waits for the device."""

    def __init__(self, loaded, device, model_id: str, send: Callable[[Dict[str, Any]], None],
                 clock: Callable[[], int] = time.perf_counter_ns, cuda_graphs: str = "auto", graph_factory=None,
                 max_batch: int = 1, soon_ms: float = 0.0):
        import torch  # noqa: PLC0415

        self.torch = torch
        self.loaded = loaded
        self.model = loaded.model
        self.family = loaded.family
        self.device = torch.device(device)
        self.model_id = model_id
        self.soon = SoonNotice(send, int(soon_ms * 1e6), clock)
        self._send = self.soon.send
        self.clock = clock
        # the knobs `run` resolves to "auto" (case.py): UNet graphs on CUDA, channels_last for the SD 1.x/2.x UNet
        on_cuda, diffusion = self.device.type == "cuda", self.family in ("sd", "sdxl")
        if cuda_graphs == "true" and not on_cuda:
            raise ValueError("--cuda-graphs true needs a CUDA device; this worker runs on %s" % self.device.type)
        self.cuda_graphs = diffusion and (on_cuda if cuda_graphs == "auto" else cuda_graphs == "true")
        self.channels_last = channels_last_for(self.family, on_cuda, max_batch)
        if self.channels_last:
            from .scenarios.diffusion import set_unet_memory_format  # noqa: PLC0415

            set_unet_memory_format(self.model.unet, True)
        if graph_factory is None:
            from .scenarios.diffusion import GraphedUNet as graph_factory  # noqa: PLC0415, N813
        self._graph_factory = graph_factory
        self._graphs: "OrderedDict[tuple, Any]" = OrderedDict()
        self._pinned = None  # the host buffer batches' pixels come back through on CUDA (host_pixels; rgb and png)
        self._files = None  # format file: the pixel files' mappings (pixel_files.PixelFiles), made on the first use
        # GENBENCH_SERVE_TRACE=1: one stderr line per image batch with the worker's idle time since the previous batch's
        # compute end (its own pixel trip, the controller's turnaround): bench/serve_gap.py reads them
        self.trace = os.environ.get("GENBENCH_SERVE_TRACE") == "1"
        self._computed_at = None
        self._gc_ns, self._gc_start = 0, 0  # traced: time in the garbage collector since the last trace2 line
        if self.trace:
            gc.callbacks.append(self._gc_timed)
        self.received_ns = 0  # when the request being handled was read (main), for the trace

    def send(self, message: Dict[str, Any]) -> None:
        self._send(message)  # the thread that reads and handles the requests, and the soon notice's (its lock)

    def _gc_timed(self, phase: str, info: Dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter_ns()
        else:
            self._gc_ns += time.perf_counter_ns() - self._gc_start

    def close(self) -> None:
        """Unmaps the pixel files (unregistered from CUDA first)."""
        self.soon.close()
        if self.trace:
            gc.callbacks.remove(self._gc_timed)
        if self._files is not None:
            self._files.close()

    def pixel_files(self):
        """The pixel files' mappings; registered with CUDA where the device is CUDA."""
        if self._files is None:
            from .pixel_files import PixelFiles  # noqa: PLC0415

            cudart = self.torch.cuda.cudart() if self.device.type == "cuda" else None
            self._files = PixelFiles(self.torch, cudart)
        return self._files

    def _failed(self, rid, e: BaseException) -> None:
        from .failures import classify  # noqa: PLC0415

        kind = classify(e)
        print("serve: request %s failed: %r" % (rid, e), file=sys.stderr)
        self.send({"type": "error", "id": rid, "kind": getattr(kind, "value", str(kind)), "message": str(e)})
        if self.device.type == "cuda":
            self.torch.cuda.empty_cache()

    def knobs(self) -> Dict[str, bool]:
        return {"cuda_graphs": bool(self.cuda_graphs), "channels_last": bool(self.channels_last)}

    def _unet(self, model_in, timestep, cond) -> Callable:
        """The UNet call for this batch shape: a CUDA graph captured the first time the shape is seen (that request's
        compute pays the capture, as a warm-up would) and replayed after; eager where graphs are off or the capture
        failed (said once on stderr)."""
        if not self.cuda_graphs:
            return self.model.unet_forward
        from .scenarios.diffusion import _flatten  # noqa: PLC0415

        key = (tuple(model_in.shape), tuple(sorted((k, tuple(v.shape)) for k, v in _flatten(cond).items())))
        if key in self._graphs:
            self._graphs.move_to_end(key)
        else:
            try:
                self._graphs[key] = self._graph_factory(self.model.unet_forward, model_in, timestep, cond)
                gc.freeze()  # the graph's objects join the model's, out of the collector's sight (freeze_heap)
            except Exception as e:
                print("serve: CUDA graph capture failed for shape %s, running it eagerly: %r" % (key[0], e),
                      file=sys.stderr)
                self._graphs[key] = None
            while len(self._graphs) > MAX_GRAPHS:
                self._graphs.popitem(last=False)
        return self._graphs[key] or self.model.unet_forward

    def collect_between(self, collector: "CollectBetweenRequests") -> None:
        """Runs the garbage collection due now that a request is answered; traced, its time is not charged to the
        next request's `gc` mark, which counts only collections on a request's path."""
        collector.between()
        self._gc_ns = 0

    def sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)

    def handle(self, line: str) -> None:
        rid = None
        try:
            try:
                message = json.loads(line)
            except ValueError as e:
                raise BadRequest("the line is not JSON: %s" % e)
            if not isinstance(message, dict):
                raise BadRequest("a request must be a JSON object")
            rid = message.get("id")
            if not isinstance(rid, str) or not rid:
                raise BadRequest("'id' must be a non-empty string")
            kind = message.get("type")
            if kind == "images":
                self.images(message)
            elif kind == "generate":
                self.generate(message)
            else:
                raise BadRequest("'type' must be images or generate, was %r" % (kind,))
        except BadRequest as e:
            self.send({"type": "error", "id": rid, "kind": "bad_request", "message": str(e)})
        except Exception as e:  # the request failed; the model is still there for the next one
            self._failed(rid, e)

    # ------------------------------------------------------------------ images

    def images(self, m: Dict[str, Any]) -> None:
        if self.family not in ("sd", "sdxl"):
            raise BadRequest("model %s (family %s) does not generate images from text" % (self.model_id, self.family))
        prompts = m.get("prompts")
        if (not isinstance(prompts, list) or not prompts or len(prompts) > MAX_IMAGES
                or not all(isinstance(p, str) and len(p) <= MAX_PROMPT_CHARS for p in prompts)):
            raise BadRequest("'prompts' must be 1 to %d strings" % MAX_IMAGES)
        seeds = m.get("seeds")
        if not isinstance(seeds, list) or len(seeds) != len(prompts) or not all(_is_int(s) for s in seeds):
            raise BadRequest("'seeds' must be one integer per prompt (%d)" % len(prompts))
        width, height = _int(m, "width", 8, MAX_SIDE), _int(m, "height", 8, MAX_SIDE)
        if width % 8 or height % 8:
            raise BadRequest("'width' and 'height' must be multiples of 8, were %d and %d" % (width, height))
        steps = _int(m, "steps", 1, MAX_STEPS)
        guidance = m.get("guidance", 7.5)
        if not isinstance(guidance, (int, float)) or isinstance(guidance, bool) or not 0 <= guidance <= 100:
            raise BadRequest("'guidance' must be a number from 0 to 100, was %r" % (guidance,))
        fmt = m.get("format", "rgb")
        if fmt not in ("file", "rgb", "png"):
            raise BadRequest("'format' must be file, rgb or png, was %r" % (fmt,))
        path = m.get("pixels_file")
        if fmt == "file" and (not isinstance(path, str) or not os.path.isabs(path) or not os.path.isfile(path)):
            raise BadRequest("'pixels_file' must name an existing file by its absolute path (format file), was %r"
                             % (path,))

        self.sync()
        start = self.clock()
        marks = {"recv": self.received_ns, "start": start} if self.trace else None
        shape = (width, height, steps, float(guidance) > 1.0, len(prompts), fmt)
        self.soon.expect(shape, m["id"], start)
        compute_ns = None
        try:
            images, pixels, layout = self._compute(prompts, seeds, width, height, steps, float(guidance), fmt, path)
            compute_ns = self.clock() - start
        finally:
            self.soon.done(shape, compute_ns)
        if marks is not None:
            marks["end"], marks["noted"] = start + compute_ns, self.clock()  # noted: the soon notice disarmed
        idle_ns = None if self._computed_at is None else start - self._computed_at
        self._computed_at = start + compute_ns
        try:
            self._answer(m, fmt, path, images, pixels, layout, width, height, start, compute_ns, marks)
        finally:
            # traced: said once the answer is out, so that the trace's own writes are not in the time it measures
            if self.trace and idle_ns is not None:
                print("serve: trace batch %s images %d idle_ms %.3f compute_ms %.3f"
                      % (m["id"], len(prompts), idle_ns / 1e6, compute_ns / 1e6), file=sys.stderr)

    def _compute(self, prompts, seeds, width, height, steps, guidance, fmt, path):
        """The images, and for format file on CUDA their pixels' conversion and DMA queued behind the decode (else
        None, None), once the decode is done."""
        images = self._denoise(prompts, seeds, width, height, steps, guidance)
        pixels = layout = None
        if fmt == "file" and self.device.type == "cuda":
            # the pixels' conversion and their DMA into the file are queued now, behind the decode: their launches
            # overlap the decode, and the device runs them straight after it. The compute still ends when the decode
            # does (the event recorded before them), as `run`'s iteration does.
            from .scenarios.diffusion import uint8_images  # noqa: PLC0415

            decoded = self.torch.cuda.Event()
            decoded.record()
            pixels = uint8_images(images)
            layout = self.pixel_files().queue(path, pixels)
            decoded.synchronize()
        else:
            self.sync()
        return images, pixels, layout

    def _answer(self, m, fmt, path, images, pixels, layout, width, height, start, compute_ns, marks) -> None:
        """Sends a computed batch's result lines (`computed`, then `images` once the pixels are in the file; or the
        `images` line with the pixels in it)."""
        from .scenarios.diffusion import png_bytes, uint8_images  # noqa: PLC0415

        result = {"type": "images", "id": m["id"], "compute_ns": int(compute_ns)}
        if fmt == "file":
            # the controller may send the next request now (it names the other pixel file) while this batch's pixels
            # are copied into the file's mapping: straight from the device where the mapping is registered with CUDA
            if marks is not None:
                marks["sending"] = self.clock()
            self.send({"type": "computed", "id": m["id"], "compute_ns": int(compute_ns)})
            if marks is not None:
                marks["computed"] = self.clock()
            result["pixels_file"] = path
            if layout is not None:
                self.sync()  # the queued DMA has landed in the file
                result["images"] = layout
            else:
                result["images"] = self.pixel_files().write(path, pixels if pixels is not None else uint8_images(images))
            result["pixels_ns"] = int(self.clock() - start - compute_ns)
            if marks is not None:
                # the pixels reach the host and the file in the same copy, on this thread: "writer" (the former writer
                # thread's start) and "written" have no moment of their own any more and equal "host"
                marks["host"] = self.clock()
                marks["writer"] = marks["written"] = marks["host"]
            self.send(result)
            if marks is not None:
                marks["sent"] = self.clock()
                marks["gc"], self._gc_ns = self._gc_ns, 0  # a duration, the only mark that is not a moment
                # perf_counter_ns is CLOCK_MONOTONIC on Linux, the JVM's System.nanoTime: bench/serve_trace.py joins both
                print("serve: trace2 %s %s" % (m["id"], " ".join("%s=%d" % kv for kv in marks.items())),
                      file=sys.stderr)
            return
        pixels = self.host_pixels(images)
        result["images"] = [{"width": width, "height": height,
                             ("png_b64" if fmt == "png" else "rgb_b64"): base64.b64encode(
                                 png_bytes(rgb) if fmt == "png" else rgb.numpy().tobytes()).decode("ascii")}
                            for rgb in pixels]
        result["pixels_ns"] = int(self.clock() - start - compute_ns)
        self.send(result)

    def host_pixels(self, images):
        """[-1, 1] images [..., 3, H, W] as uint8 [N, H, W, 3] on the host, the values `to_uint8` gives: converted and
        laid out on the device (`uint8_images`), then one contiguous copy to the host, into a pinned buffer kept for the
        next batch (grown when a batch needs more) on CUDA, so the copy runs at the link's speed without a staging copy."""
        from .scenarios.diffusion import uint8_images  # noqa: PLC0415

        torch = self.torch
        x = uint8_images(images)
        if x.device.type != "cuda":
            return x
        n = x.numel()
        if self._pinned is None or self._pinned.numel() < n:
            self._pinned = torch.empty(n, dtype=torch.uint8, pin_memory=True)
        host = self._pinned[:n].view(x.shape)
        host.copy_(x, non_blocking=True)
        torch.cuda.current_stream(x.device).synchronize()
        return host

    def _denoise(self, prompts: List[str], seeds: List[int], width: int, height: int, steps: int, guidance: float):
        """The `run` loop (scenarios/diffusion.py) with a prompt and a seed per image: text encode, `steps` UNet calls
        (classifier-free guidance above 1 on the [uncond; cond] batch), VAE decode."""
        from . import schedulers  # noqa: PLC0415
        from .scenarios.diffusion import inference_context, prediction_type, tokenizer, vocab_size_of  # noqa: PLC0415

        torch, model = self.torch, self.model
        scheduler = schedulers.make("euler", steps, prediction_type(self.model_id, self.family,
                                                                     getattr(model, "spec", None)), family=self.family)
        timesteps = scheduler.timesteps.to(self.device)
        tokenize, vocab = tokenizer(), vocab_size_of(model)
        max_length = getattr(model, "max_length", None) or 77
        dtype = getattr(model, "dtype", None) or next(model.unet.parameters()).dtype
        cfg = guidance > 1.0
        with inference_context():
            ids = torch.cat([tokenize(p, 1, vocab, max_length) for p in prompts])
            if cfg:
                ids = torch.cat([tokenize("", len(prompts), vocab, max_length), ids])
            cond = model.encode_prompt(ids.to(self.device), height=height, width=width)
            shape = model.latent_shape(1, height, width)
            noise = torch.cat([torch.randn(shape, generator=torch.Generator().manual_seed(int(s) & (2 ** 63 - 1)),
                                           dtype=torch.float32) for s in seeds])
            latents = (noise * scheduler.init_noise_sigma).to(self.device, dtype)
            unet = None
            for i in range(len(scheduler)):
                model_in = torch.cat([latents, latents]) if cfg else latents
                model_in = scheduler.scale_model_input(model_in, i)
                unet = unet or self._unet(model_in, timesteps[i], cond)
                predicted = unet(model_in, timesteps[i], cond)
                if cfg:
                    uncond, text = predicted.chunk(2)
                    predicted = uncond + (text - uncond) * guidance
                latents = scheduler.step(predicted, i, latents)
            return model.decode(latents)

    # ------------------------------------------------------------------ text

    def generate(self, m: Dict[str, Any]) -> None:
        if self.family != "opt":
            raise BadRequest("model %s (family %s) does not generate text" % (self.model_id, self.family))
        torch, model = self.torch, self.model
        config = getattr(model, "config", None)
        vocab = int(getattr(config, "vocab_size", 50272))
        limit = int(getattr(config, "max_position_embeddings", 2048))
        ids = self._prompt_ids(m, vocab)
        max_tokens = _int(m, "max_tokens", 1, limit)
        if len(ids) + max_tokens > limit:
            raise BadRequest("the prompt's %d tokens + 'max_tokens' %d exceed the model's %d positions"
                             % (len(ids), max_tokens, limit))
        stream, ignore_eos = m.get("stream", False), m.get("ignore_eos", False)
        if not isinstance(stream, bool) or not isinstance(ignore_eos, bool):
            raise BadRequest("'stream' and 'ignore_eos' must be true or false")

        from .scenarios.diffusion import inference_context  # noqa: PLC0415

        rid, out, texts, finish, ttft_ns = m["id"], [], [], "length", None
        self.sync()
        start = self.clock()
        with inference_context():
            logits, past = model(torch.tensor([ids], dtype=torch.long, device=self.device), past_key_values=None,
                                 use_cache=True)
            while True:
                token = int(logits[0, -1, :].argmax().item())  # .item() waits for the device: the token is done
                if ttft_ns is None:
                    ttft_ns = self.clock() - start
                out.append(token)
                text = detokenize([token])
                texts.append(text)
                if stream:
                    self.send({"type": "token", "id": rid, "index": len(out) - 1, "token_id": token, "text": text})
                if token == OPT_EOS and not ignore_eos:
                    finish = "stop"
                    break
                if len(out) >= max_tokens:
                    break
                logits, past = model(torch.tensor([[token]], dtype=torch.long, device=self.device),
                                     past_key_values=past, use_cache=True)
        self.sync()
        compute_ns = self.clock() - start
        self.send({"type": "completion", "id": rid, "token_ids": out, "text": "".join(texts),
                   "prompt_tokens": len(ids), "completion_tokens": len(out), "finish_reason": finish,
                   "ttft_ns": int(ttft_ns), "compute_ns": int(compute_ns)})

    def _prompt_ids(self, m: Dict[str, Any], vocab: int) -> List[int]:
        prompt, given = m.get("prompt"), m.get("prompt_ids")
        if (prompt is None) == (given is None):
            raise BadRequest("give exactly one of 'prompt' (text) and 'prompt_ids' (token ids)")
        if given is not None:
            if not isinstance(given, list) or not given or not all(_is_int(i) and 0 <= i < vocab for i in given):
                raise BadRequest("'prompt_ids' must be a non-empty list of token ids from 0 to %d" % (vocab - 1))
            return list(given)
        if not isinstance(prompt, str) or not prompt or len(prompt) > MAX_PROMPT_CHARS:
            raise BadRequest("'prompt' must be a non-empty string of at most %d characters" % MAX_PROMPT_CHARS)
        return tokenize(prompt, vocab)


# ---------------------------------------------------------------------------------------------- tokens

def tokenize(text: str, vocab: int) -> List[int]:
    """A byte tokenizer standing in for OPT's BPE (random weights make the words meaningless; the count is what the
    benchmark measures): `</s>` (OPT's BOS, id 2), then each UTF-8 byte b as id b + 3, folded into the vocabulary."""
    return [OPT_EOS] + [(b + BYTE_OFFSET) % vocab for b in text.encode("utf-8")]


def detokenize(ids: List[int]) -> str:
    """The inverse where it exists: ids 3..258 are bytes (printable ASCII kept; others as a space); any other id, which
    random weights pick most of the time, reads as a word of its own, ` t<id>`, so every token has visible text."""
    parts = []
    for i in ids:
        b = i - BYTE_OFFSET
        if 32 <= b < 127:
            parts.append(chr(b))
        elif 0 <= b < 256:
            parts.append(" ")
        else:
            parts.append(" t%d" % i)
    return "".join(parts)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(m: Dict[str, Any], name: str, low: int, high: int) -> int:
    v = m.get(name)
    if not _is_int(v) or not low <= v <= high:
        raise BadRequest("'%s' must be an integer from %d to %d, was %r" % (name, low, high, v))
    return v


# ---------------------------------------------------------------------------------------------- entry point

def choose_device(name: str, torch):
    """auto: cuda (the first visible GPU: CUDA_VISIBLE_DEVICES picks it) when available, else cpu."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("--device %s: CUDA is not available to this torch (%s)" % (name, torch.__version__))
        device = torch.device("cuda", device.index if device.index is not None else 0)
        torch.cuda.set_device(device)
    elif device.type != "cpu":
        raise ValueError("--device %s: use auto, cpu, cuda or cuda:N" % name)
    return device


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python3 -m genbench_worker.serve",
                                description="genbench worker, serving mode: requests on stdin, results on stdout")
    p.add_argument("--model", required=True, help="model id, e.g. stabilityai/stable-diffusion-2-1, facebook/opt-125m")
    p.add_argument("--precision", default="float32", choices=("float32", "float16", "bfloat16"))
    p.add_argument("--tiny", action="store_true", help="the architecture's tiny configuration (tests)")
    p.add_argument("--weights", default=None, help="local weights (a diffusers folder or .safetensors); default random")
    p.add_argument("--backend", default="torch", choices=("torch", "diffusers"))
    p.add_argument("--device", default=os.environ.get("GENBENCH_DEVICE", "auto"), help="auto | cpu | cuda | cuda:N")
    p.add_argument("--seed", type=int, default=42, help="seed of the random weights")
    p.add_argument("--cuda-graphs", default="auto", choices=("auto", "true", "false"),
                   help="capture the UNet call per batch shape (auto: on CUDA for image models)")
    p.add_argument("--spin-ms", type=float, default=0.0,
                   help="after each request, poll stdin this long for the next before blocking in the read (the "
                        "controller passes it on hosts of 8 or more cores; 0: block at once)")
    p.add_argument("--soon-ms", type=float, default=0.0,
                   help="say `soon` this long before a batch's compute is expected to end (the shortest recent compute "
                        "of its shape), so the controller polls for its result (passed where its threads poll; 0: never)")
    p.add_argument("--max-batch", type=int, default=1,
                   help="the largest batch the server will send (channels_last for the SD UNet only when it is 1, as run's auto)")
    return p.parse_args(argv)


def request_lines(stdin, spin_ns: int):
    """The request lines of `stdin`. With `spin_ns` above 0 and a pipe under it, read from the pipe itself: once the
    lines in hand are handled (the answer sent), the pipe is polled for `spin_ns` before the read blocks, so a client
    that sends its next request straight away (one at a time: ~1.5 ms after the answer) is read without a wake-up of
    this thread, which was the worker's part of the serving overhead (issue 20: 0.06 ms at P50, up to 0.3 ms at P99 on
    an H100 host). At most `spin_ns` of one core per request; the controller asks for it only on hosts of 8 or more
    cores, as it does for its own threads' spins."""
    try:
        fd = stdin.fileno() if spin_ns > 0 else None
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None:
        yield from stdin
        return
    pending = b""
    while True:
        end = pending.find(b"\n")
        if end >= 0:
            line, pending = pending[:end + 1], pending[end + 1:]
            yield line.decode("utf-8", errors="replace")  # a line that is not UTF-8 is refused as not JSON
            continue
        deadline = time.perf_counter_ns() + spin_ns
        while not select.select([fd], [], [], 0)[0] and time.perf_counter_ns() < deadline:
            pass
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            if pending:
                yield pending.decode("utf-8", errors="replace")
            return
        pending += chunk


def freeze_heap() -> int:
    """Collects what the build left behind, then moves every object left (torch's modules, the model's parameters and
    modules) into the collector's permanent generation: a full collection then walks only what requests allocated,
    instead of the whole heap. Without it one request in a few hundred paid a full collection of the heap on the
    worker's thread: 44 ms on the 2-core VM with the tiny model (bench/gc_probe.py), against 0.2 ms frozen. vLLM
    freezes its heap after start-up for the same reason. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class CollectBetweenRequests:
    """The garbage collector run between requests instead of wherever an allocation crosses its threshold: while this
    is open, automatic collection is off, and `between()`, called once a request is answered, runs the collection the
    collector would have run by then (generation 0 once its count passes its threshold; 1 and 2 by their counts, as
    CPython's own schedule picks them). A request's path then never pays one: traced on an H200 host, the worker spent
    0.10-0.11 ms P50, 0.16 ms P99 in the collector from one 768^2 image request's trace line to the next, wherever an
    allocation crossed the threshold (mostly while the compute's kernels were queued; a collection between the
    request's arrival and its compute's start, or after its end, adds to the serving overhead). Objects without cycles
    are freed as before, by their reference counts."""

    def __init__(self):
        self._was_enabled = gc.isenabled()
        gc.disable()

    def between(self) -> int:
        """Collects what is due; returns the generation collected, or -1 for none."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if not thresholds[0] or counts[0] < thresholds[0]:
            return -1
        generation = 2 if counts[2] >= thresholds[2] else 1 if counts[1] >= thresholds[1] else 0
        gc.collect(generation)
        return generation

    def close(self) -> None:
        if self._was_enabled:
            gc.enable()


def main(argv: Optional[List[str]] = None, *, stdin=None, wire: Optional[Wire] = None, cache=None) -> int:
    """Entry point; in-process tests inject `stdin`, `wire` and `cache`."""
    args = parse_args(argv)
    if wire is None:  # before torch is imported (pycache.py); in-process tests inject the wire and keep their settings
        from . import pycache  # noqa: PLC0415

        print("serve: " + pycache.enable(), file=sys.stderr)
    wire = wire if wire is not None else Wire.claim()
    stdin = stdin if stdin is not None else sys.stdin
    try:
        import torch  # noqa: PLC0415

        device = choose_device(args.device, torch)
        loaded = build(args.model, tiny=args.tiny, precision=args.precision, weights=args.weights,
                       backend=args.backend, device=device, seed=args.seed, cache=cache)
    except Exception as e:
        from .failures import classify  # noqa: PLC0415

        kind = classify(e)
        print("serve: cannot build %s: %r" % (args.model, e), file=sys.stderr)
        wire.send({"type": "fatal", "kind": getattr(kind, "value", str(kind)), "message": str(e)})
        return 1
    try:
        server = Server(loaded, device, args.model, wire.send, cuda_graphs=args.cuda_graphs, max_batch=args.max_batch,
                        soon_ms=args.soon_ms)
    except ValueError as e:
        print("serve: %s" % e, file=sys.stderr)
        wire.send({"type": "fatal", "kind": "unsupported", "message": str(e)})
        return 1
    frozen = freeze_heap()
    wire.send({"type": "ready", "worker_version": __version__, "model": args.model, "family": loaded.family,
               "tiny": args.tiny, "load_ns": int(loaded.build_ns), "parameters": loaded.parameters,
               "weights": loaded.weights, "device": device.type, "torch": torch.__version__, "pid": os.getpid(),
               "knobs": server.knobs()})
    print("serve: %s ready on %s (%d parameters, built in %.1f s; %d objects frozen out of the garbage collector)"
          % (args.model, device, loaded.parameters, loaded.build_ns / 1e9, frozen), file=sys.stderr)
    collector = CollectBetweenRequests()
    try:
        for line in request_lines(stdin, int(args.spin_ms * 1e6)):
            server.received_ns = time.perf_counter_ns()
            if line.strip():
                server.handle(line)
                server.collect_between(collector)
    finally:
        collector.close()
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
