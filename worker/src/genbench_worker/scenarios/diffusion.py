"""Text-to-image (sd, sdxl) and image-to-video (svd) generation: one iteration is one pipeline call.

    tokenize prompt (+ "" when guidance_scale > 1)       ┐
    seeded initial latents (latent_shape × init sigma)    │ e2e
    encode (text encoders, or SVD's image conditioning)   │  text_encode_ns
    inference_steps × UNet (+ CFG) + scheduler step       │  step_ns[i], one per step
    VAE decode                                            ┘  decode_ns
    PNGs (save_images; outside the timed region, first measured iteration only)

Classifier-free guidance runs one UNet call per step on the concatenated [uncond; cond] batch,
as diffusers does. Knobs: `channels_last` (4-D UNet weights), `compile` (torch.compile of the UNet
call, compiled before measuring), `cuda_graphs` (the UNet call captured once for the case's fixed
shapes and replayed from static buffers; CUDA only).
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
import zlib
from typing import Any, Callable, Dict, List, Optional

import torch

from .. import schedulers
from ..devices import device_type, is_cuda
from ..models.family import Family
from ..failures import Unsupported
from ..measure.timing import clock_for, total
from ..case import Diffusion
from . import IterationResult

SVD_DEFAULT_FRAMES = 14


def prediction_type(model_id: str, family: str, spec: Any = None) -> str:
    """v_prediction for SD 2.x at 768 (not the -base models) and SVD; epsilon otherwise."""
    declared = getattr(spec, "prediction_type", None)
    if declared:
        return declared
    if family == Family.SVD:
        return "v_prediction"
    mid = model_id.lower()
    if "stable-diffusion-2" in mid and "base" not in mid and "inpaint" not in mid:
        return "v_prediction"
    return "epsilon"


def inference_context():
    return torch.inference_mode() if hasattr(torch, "inference_mode") else torch.no_grad()


def vocab_size_of(model: Any) -> int:
    size = getattr(model, "vocab_size", None)
    if size:
        return int(size)
    encoders = getattr(model, "text_encoders", None) or []
    if encoders:
        config = getattr(encoders[0], "config", None)
        if getattr(config, "vocab_size", None):
            return int(config.vocab_size)
    return 49408


def tokenizer():
    try:
        from ..models import registry  # noqa: PLC0415

        return registry.tokenize
    except ImportError:
        return _fallback_tokenize


def _fallback_tokenize(prompt: str, batch: int, vocab_size: int, max_length: int = 77) -> torch.Tensor:
    ids = [vocab_size - 2] + [hash(w) % (vocab_size - 2) for w in prompt.split()][: max_length - 2] + [vocab_size - 1]
    ids += [vocab_size - 1] * (max_length - len(ids))
    return torch.tensor([ids] * batch, dtype=torch.long)


def set_unet_memory_format(unet: torch.nn.Module, channels_last: bool) -> None:
    """4-D weights to channels_last (or back); 5-D video weights are left alone."""
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    with torch.no_grad():
        for p in unet.parameters():
            if p.dim() == 4:
                p.data = p.data.contiguous(memory_format=fmt)


def _flatten(value: Any, prefix: str = "") -> Dict[str, torch.Tensor]:
    out: Dict[str, torch.Tensor] = {}
    if torch.is_tensor(value):
        out[prefix] = value
    elif isinstance(value, dict):
        for k, v in value.items():
            out.update(_flatten(v, prefix + "/" + k))
    return out


def _rebuild(value: Any, tensors: Dict[str, torch.Tensor], prefix: str = "") -> Any:
    if torch.is_tensor(value):
        return tensors[prefix]
    if isinstance(value, dict):
        return {k: _rebuild(v, tensors, prefix + "/" + k) for k, v in value.items()}
    return value


class GraphedUNet:
    """The UNet call captured in a CUDA graph for fixed shapes; inputs are copied into static buffers.

    The returned tensor is the graph's static output: it is overwritten by the next call, so the caller
    consumes it (guidance, scheduler step) before calling again, as the denoising loop does.
    """

    def __init__(self, forward: Callable, sample: torch.Tensor, timestep: torch.Tensor, cond: dict, warmup: int = 2):
        self._sample = sample.clone()
        self._timestep = timestep.clone()
        self._cond_template = cond
        self._cond_static = {k: v.clone() for k, v in _flatten(cond).items()}
        static_cond = _rebuild(cond, self._cond_static)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm up outside the capture: lazy inits, cuBLAS handles, autotuning
            for _ in range(warmup):
                forward(self._sample, self._timestep, static_cond)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self._out = forward(self._sample, self._timestep, static_cond)

    def __call__(self, sample: torch.Tensor, timestep: torch.Tensor, cond: dict) -> torch.Tensor:
        self._sample.copy_(sample)
        self._timestep.copy_(timestep)
        for k, v in _flatten(cond).items():
            static = self._cond_static[k]
            if v.data_ptr() != static.data_ptr():
                static.copy_(v)
        self.graph.replay()
        return self._out


class DiffusionScenario:
    """One case of an sd / sdxl / svd model. `prepare()` then `iterate()` repeatedly."""

    profiled_phase = "step"  # profiling.py: the phase whose GPU-busy fraction the `profile` event reports

    def __init__(self, case, loaded, device):
        if not isinstance(case.workload, Diffusion):
            raise ValueError("case %s: %s is a diffusion model, whose case needs a diffusion workload (got %s)"
                             % (case.id, case.model, case.workload.KIND))
        self.case = case
        self.work = case.workload
        self.knobs = case.knobs
        self.loaded = loaded
        self.model = loaded.model
        self.family = loaded.family
        self.device = torch.device(device)
        self.clock = clock_for(self.device)
        self.frames = (self.work.frames or getattr(getattr(self.model, "spec", None), "default_frames", None)
                       or SVD_DEFAULT_FRAMES) if self.family.is_video else None
        self.cfg = self.work.uses_cfg
        self.unet: Callable = self.model.unet_forward
        self._graphed: Optional[GraphedUNet] = None
        self._saved = False
        self.scheduler = schedulers.make(
            self.work.scheduler, self.work.steps,
            prediction_type(case.model, self.family, getattr(self.model, "spec", None)), family=self.family)
        self._timesteps = self.scheduler.timesteps.to(self.device)
        self._tokenize = tokenizer()
        self._vocab = vocab_size_of(self.model)
        self._max_length = getattr(self.model, "max_length", None) or 77
        self._dtype = getattr(self.model, "dtype", None) or next(self.model.unet.parameters()).dtype

    # ------------------------------------------------------------------ setup

    def prepare(self) -> None:
        case = self.knobs
        if case.cuda_graphs and not is_cuda(self.device):
            raise Unsupported("cuda_graphs needs a CUDA device; this case runs on %s" % device_type(self.device))
        if case.compile and not hasattr(torch, "compile"):
            raise Unsupported("compile needs torch.compile (torch >= 2.0); this is torch %s" % torch.__version__)
        set_unet_memory_format(self.model.unet, case.channels_last)
        if case.compile:
            compiled = self.loaded.extras.get("compiled_unet_forward")
            if compiled is None:
                compiled = torch.compile(self.model.unet_forward)
                self.loaded.extras["compiled_unet_forward"] = compiled
            self.unet = compiled
        if case.compile or case.cuda_graphs:
            with inference_context():
                latents, cond = self._example_inputs()
                if case.cuda_graphs:
                    self._graphed = GraphedUNet(self.unet, latents, self._timesteps[0], cond)
                    self.unet = self._graphed
                else:
                    self.unet(latents, self._timesteps[0], cond)  # compile now, not in a measured iteration
                if is_cuda(self.device):
                    torch.cuda.synchronize(self.device)

    # ------------------------------------------------------------------ work (flops.py), after measuring

    def work_key(self) -> tuple:
        c = self.case
        return ("diffusion", c.backend, c.model, c.tiny, c.precision, self.work.width, self.work.height, self.frames, c.batch_size,
                self.cfg)

    def count_work(self, count) -> tuple:
        """(text encode, one UNet call, VAE decode) FLOPs at the case's shape, on the eager model."""
        with inference_context():
            ids = self._input_ids().to(self.device)
            encode = count(lambda: self._encode(ids))
            cond = self._encode(ids)
            latents = self._initial_latents()
            model_in = torch.cat([latents, latents]) if self.cfg else latents
            model_in = self.scheduler.scale_model_input(model_in, 0)
            step = count(lambda: self.model.unet_forward(model_in, self._timesteps[0], cond))
            decode = count(lambda: self.model.decode(latents))
        return encode, step, decode

    def work_for(self, parts: tuple):
        from ..measure.flops import WorkCount  # noqa: PLC0415

        encode, step, decode = parts
        return WorkCount(flops_per_request=encode + len(self.scheduler) * step + decode, flops_per_step=step)

    def _example_inputs(self):
        ids = self._input_ids()
        cond = self._encode(ids.to(self.device))
        latents = self._initial_latents()
        if self.cfg:
            latents = torch.cat([latents, latents])
        return self.scheduler.scale_model_input(latents, 0), cond

    def close(self) -> None:
        self._graphed = None
        self.unet = self.model.unet_forward

    # ------------------------------------------------------------------ one iteration

    def _input_ids(self) -> torch.Tensor:
        b = self.case.batch_size
        cond = self._tokenize(self.work.prompt, b, self._vocab, self._max_length)
        if not self.cfg:
            return cond
        return torch.cat([self._tokenize("", b, self._vocab, self._max_length), cond])

    def _encode(self, ids: torch.Tensor) -> dict:
        kwargs = dict(height=self.work.height, width=self.work.width)
        if self.family.is_video:
            kwargs["frames"] = self.frames
        return self.model.encode_prompt(ids, **kwargs)

    def _initial_latents(self) -> torch.Tensor:
        shape = self.model.latent_shape(self.case.batch_size, self.work.height, self.work.width,
                                        frames=self.frames)
        generator = torch.Generator().manual_seed(self.case.measure.seed)
        noise = torch.randn(shape, generator=generator, dtype=torch.float32)
        return (noise * self.scheduler.init_noise_sigma).to(self.device, self._dtype)

    # set by measure/profiling.py around the profiled iteration: only this many denoising steps and no decode (every
    # step has the same shapes and kernels, so a few give the busy fraction; the rest of a request was its cost)
    profile_step_limit: Optional[int] = None

    def iterate(self) -> IterationResult:
        case, scheduler, unet = self.case, self.scheduler, self.unet
        limit = self.profile_step_limit
        steps = len(scheduler) if limit is None else min(len(scheduler), limit)
        timer = self.clock.iteration()
        with inference_context():
            timer.start()
            ids = self._input_ids().to(self.device)
            latents = self._initial_latents()
            with timer.phase("text_encode"):
                cond = self._encode(ids)
            for i in range(steps):
                with timer.phase("step"):
                    model_in = torch.cat([latents, latents]) if self.cfg else latents
                    model_in = scheduler.scale_model_input(model_in, i)
                    noise = unet(model_in, self._timesteps[i], cond)
                    if self.cfg:
                        uncond, text = noise.chunk(2)
                        noise = uncond + (text - uncond) * self.work.guidance_scale
                    latents = scheduler.step(noise, i, latents)
            images = None
            if limit is None:
                with timer.phase("decode"):
                    images = self.model.decode(latents)
            timer.stop()
            times = timer.finish()
        count = case.batch_size * (self.frames or 1)
        if case.save_images and not self._saved and images is not None:
            self._saved = True
            save_pngs(images, case.save_images, case.id)
        return IterationResult(e2e_ns=times["e2e"][0], text_encode_ns=total(times, "text_encode"),
                               step_ns=times.get("step", []), decode_ns=total(times, "decode"), images=count)


# ---------------------------------------------------------------------------------------------- PNG

def uint8_images(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] images [..., 3, H, W] → contiguous uint8 [N, H, W, 3] on the images' device: round((clamp(x) + 1) * 127.5)
    in float32 (the images' own half precision would round differently), on one float32 buffer updated in place, and the
    conversion to uint8 and the NHWC layout in one copy: one kernel and two buffers fewer than converting, then laying
    out, and the same bytes (worker/tests/test_scenarios.py checks them against that on .5 boundaries)."""
    x = images.detach()
    x = x.reshape(-1, *x.shape[-3:]).float().clamp(-1, 1)  # a new buffer even for float32 images (not theirs updated)
    x = x.add_(1).mul_(127.5).round_()
    n, c, h, w = x.shape
    out = torch.empty((n, h, w, c), dtype=torch.uint8, device=x.device)
    out.permute(0, 3, 1, 2).copy_(x)
    return out


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] images [..., 3, H, W] → uint8 [N, H, W, 3] on CPU."""
    return uint8_images(images).cpu()


def png_bytes(rgb: torch.Tensor) -> bytes:
    """One uint8 [H, W, 3] (or [H, W, 1]) image as PNG, with zlib and struct only."""
    rgb = rgb.contiguous()
    h, w, c = rgb.shape
    raw = ctypes.string_at(rgb.data_ptr(), h * w * c)
    stride = w * c
    scanlines = b"".join(b"\x00" + raw[y * stride:(y + 1) * stride] for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    color = {1: 0, 3: 2, 4: 6}[c]
    header = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines, 6))
            + chunk(b"IEND", b""))


def save_pngs(images: torch.Tensor, folder: str, case_id: str) -> List[str]:
    """Write every image (or video frame) as `<case_id>-<n>.png`; returns the paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for n, rgb in enumerate(to_uint8(images)):
        path = os.path.join(folder, "%s-%03d.png" % (case_id, n))
        with open(path, "wb") as f:
            f.write(png_bytes(rgb))
        paths.append(path)
    print("saved %d image(s) to %s" % (len(paths), folder), file=sys.stderr)
    return paths
