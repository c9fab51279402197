"""Issue 18 goal 5 on one GPU: genbench's diffusion scenario against diffusers' components, in one process.

Cases: SD 2.1 768x768 batch 1 and 4, SDXL 1024x1024 batch 1; float16, random weights, 20 steps, Euler, classifier-free
guidance (UNet batch = 2 x images). Peers, interleaved trial by trial (eager at small batch is host-bound and drifts
up to 40 % between runs):

* genbench default: the worker's own `run_case` (knobs auto: CUDA graphs, and channels_last for SD 2.1), its samples
  and its `memory` event, exactly what `genbench run` reports; for SD 2.1 also with channels_last off.
* diffusers eager / diffusers + CUDA graphs: `UNet2DConditionModel`, `AutoencoderKL` and transformers' CLIP text
  encoders from the public configurations, the loop of `StableDiffusion(XL)Pipeline.__call__` (encode, cat latents
  for CFG, scale, UNet, guidance, `EulerDiscreteScheduler.step`, `vae.decode` of every image at once), timed with
  genbench's own CUDA-event timer; "graphs" = the UNet call captured once (genbench's GraphedUNet, as
  bench/unet_vs_diffusers.py). SDXL's unconditional embeddings are zeros, as the pipeline's
  force_zeros_for_empty_prompt; its VAE decodes in float16 (no force_upcast).

Figures per trial: median step ms over the measured requests, median e2e s and decode ms, peak allocated GiB. Both
model sets stay resident, so every peak is the side's own: max_memory_allocated minus the other side's weights.
Memory scopes: "window" = genbench's (memory.py: from an emptied cache, graph capture and warm-ups included; the
diffusers peers measured the same way); "steady" = the measured requests only (diffusers).

Where the memory goes (`phases`): one request at a time with the peak reset around each phase (text encode, every
step, decode; genbench's own iterate() through a clock that synchronises and reads max_memory_allocated), for the
first request after preparing and for later ones, and the graph capture's peak; for genbench also with the code
at commit e37e499 (ResNet SiLUs out of place), patched back here.
`decode`: the decoders alone on the same latents (genbench now, before, one image per call; diffusers), activation
peak above what was allocated before the call, and time.

diffusers is not a dependency: fetch it and point DIFFUSERS_SRC (or PYTHONPATH) at its `src`.
Usage: python3 bench/diffusion_peer.py [--cases sd21-b1 sd21-b4 sdxl-b1] [--trials 3] [--requests 3] [--out F.json]
"""
import argparse
import contextlib
import gc
import io
import json
import os
import signal
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "worker", "src"))
sys.path.insert(0, HERE)
if os.environ.get("DIFFUSERS_SRC"):
    sys.path.insert(0, os.environ["DIFFUSERS_SRC"])

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from genbench_worker import scenarios as gscenarios  # noqa: E402
from genbench_worker.backends import ModelCache  # noqa: E402
from genbench_worker.case import Case  # noqa: E402
from genbench_worker.measure import memory as gmemory  # noqa: E402
from genbench_worker.measure.timing import CudaClock, IterationTimer  # noqa: E402
from genbench_worker.models import blocks as gblocks  # noqa: E402
from genbench_worker.protocol import EventStream  # noqa: E402
from genbench_worker.scenarios.diffusion import DiffusionScenario, GraphedUNet  # noqa: E402

GiB = 2 ** 30
SD21_ID = "stabilityai/stable-diffusion-2-1"
SDXL_ID = "stabilityai/stable-diffusion-xl-base-1.0"
CASES = {
    "sd21-b1": dict(model=SD21_ID, key="sd21", batch=1, size=768),
    "sd21-b4": dict(model=SD21_ID, key="sd21", batch=4, size=768),
    "sdxl-b1": dict(model=SDXL_ID, key="sdxl", batch=1, size=1024),
}
GUIDANCE = 7.5
DEVICE = torch.device("cuda")


def med(values):
    return statistics.median(values) if values else None


def tensor_bytes(modules):
    seen, total = set(), 0
    for m in modules:
        for t in list(m.parameters()) + list(m.buffers()):
            if t.data_ptr() not in seen:
                seen.add(t.data_ptr())
                total += t.numel() * t.element_size()
    return total


def release():
    gmemory.release_cached(DEVICE)
    torch.cuda.reset_peak_memory_stats(DEVICE)


# ---------------------------------------------------------------------------------------------- phase peaks

class PhasePeaks(CudaClock):
    """A clock for genbench's (and the peers') IterationTimer that also records, per phase name, the highest
    max_memory_allocated seen inside that phase (synchronising and resetting the peak around each phase)."""

    def __init__(self):
        super().__init__()
        self.peaks = {}

    def iteration(self):
        return _PeakTimer(self)


class _PeakTimer(IterationTimer):
    @contextlib.contextmanager
    def phase(self, name):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        with IterationTimer.phase(self, name):
            yield
        torch.cuda.synchronize()
        peaks = self._clock.peaks
        peaks[name] = max(peaks.get(name, 0), torch.cuda.max_memory_allocated())


# ---------------------------------------------------------------------------------------------- genbench

def genbench_case(spec, case_id, args, **knobs):
    return Case.build(case_id, spec["model"], precision="float16", batch_size=spec["batch"], width=spec["size"],
                      height=spec["size"], steps=args.steps, scheduler="euler", guidance_scale=GUIDANCE,
                      warmup_iterations=args.warmup, max_warmup_iterations=args.warmup + 1, max_warmup_s=30.0,
                      min_iterations=args.requests, max_iterations=args.requests, min_duration_s=0.0,
                      max_measure_s=120.0, **knobs)


def run_genbench(case, cache, other_bytes):
    """One trial through the worker's run_case; figures from its own events."""
    sink = io.StringIO()
    ok = gscenarios.run_case(case, cache, EventStream(sink), DEVICE)
    events = [json.loads(line) for line in sink.getvalue().splitlines()]
    if not ok:
        failed = [e for e in events if e["type"] == "failed"]
        raise RuntimeError("genbench case failed: %s" % (failed[0]["message"] if failed else events[-3:]))
    samples = [e for e in events if e["type"] == "sample"]
    mem = next(e for e in events if e["type"] == "memory")
    loaded = next(e for e in events if e["type"] == "loaded")
    return dict(step_ms=med([ns / 1e6 for s in samples for ns in s["step_ns"]]),
                e2e_s=med([s["e2e_ns"] / 1e9 for s in samples]),
                decode_ms=med([s["decode_ns"] / 1e6 for s in samples]),
                text_encode_ms=med([s["text_encode_ns"] / 1e6 for s in samples]),
                peak_allocated_gib=(mem["peak_allocated_bytes"] - other_bytes) / GiB,
                peak_reserved_gib=mem["peak_reserved_bytes"] / GiB, requests=len(samples), knobs=loaded["knobs"],
                warmups=sum(1 for e in events if e["type"] == "warmup"))


def _before_resnet_forward(self, x, temb=None):
    """ResnetBlock2D.forward as it was at commit e37e499: SiLUs out of place."""
    h = self.conv1(F.silu(self.norm1(x)))
    if temb is not None and self.time_emb_proj is not None:
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
    h = self.conv2(self.dropout(F.silu(self.norm2(h))))
    if self.conv_shortcut is not None:
        x = self.conv_shortcut(x)
    return x + h


@contextlib.contextmanager
def code_before_branch():
    """genbench as at commit e37e499: the one change since to the code these benches run is the in-place SiLU (the VAE
    attention's residual order was changed and reverted, so its code is today's)."""
    saved = gblocks.ResnetBlock2D.forward
    gblocks.ResnetBlock2D.forward = _before_resnet_forward
    try:
        yield
    finally:
        gblocks.ResnetBlock2D.forward = saved


def genbench_phases(case, cache, other_bytes, iterations=2):
    """Peaks per phase of genbench's own iterate(): the graph capture, the first request, the later ones."""
    loaded, _ = cache.get(case, DEVICE)
    resolved = case.resolved("cuda", loaded.family)
    scenario = DiffusionScenario(resolved, loaded, DEVICE)
    release()
    resident = torch.cuda.memory_allocated() - other_bytes
    try:
        scenario.prepare()  # outside inference mode, as run_case calls it (it sets the weights' memory format)
        torch.cuda.synchronize()
        out = dict(resident_gib=resident / GiB, prepare_gib=(torch.cuda.max_memory_allocated() - other_bytes) / GiB)
        for label, n in (("first", 1), ("later", iterations - 1)):
            clock = PhasePeaks()
            scenario.clock = clock
            for _ in range(n):
                scenario.iterate()
            out[label] = {k: (v - other_bytes) / GiB for k, v in clock.peaks.items()}
        return out
    finally:
        scenario.close()
        del scenario
        release()


# ---------------------------------------------------------------------------------------------- diffusers

class DiffusersPeer:
    """diffusers' components for one model and the pipeline's denoising loop, on the GPU in float16."""

    def __init__(self, key, size):
        from diffusers import AutoencoderKL, UNet2DConditionModel  # noqa: PLC0415
        from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection  # noqa: PLC0415

        from unet_vs_diffusers import SD21, SDXL  # noqa: PLC0415

        self.key, self.size = key, size
        torch.manual_seed(0)
        with torch.device(DEVICE):
            self.unet = UNet2DConditionModel(**(SD21 if key == "sd21" else SDXL))
            self.vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4,
                                     block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
                                     up_block_types=("UpDecoderBlock2D",) * 4, layers_per_block=2, sample_size=size,
                                     scaling_factor=0.18215 if key == "sd21" else 0.13025)
            if key == "sd21":
                self.encoders = [CLIPTextModel(CLIPTextConfig(
                    vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_hidden_layers=23,
                    num_attention_heads=16, max_position_embeddings=77, hidden_act="gelu", projection_dim=512))]
            else:
                self.encoders = [
                    CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072,
                                                 num_hidden_layers=12, num_attention_heads=12,
                                                 max_position_embeddings=77, hidden_act="quick_gelu",
                                                 projection_dim=768)),
                    CLIPTextModelWithProjection(CLIPTextConfig(vocab_size=49408, hidden_size=1280,
                                                               intermediate_size=5120, num_hidden_layers=32,
                                                               num_attention_heads=20, max_position_embeddings=77,
                                                               hidden_act="gelu", projection_dim=1280))]
        self.modules = [self.unet, self.vae] + self.encoders
        for m in self.modules:
            m.to(torch.float16).eval().requires_grad_(False)
        torch.cuda.synchronize()
        self.bytes = tensor_bytes(self.modules)
        self.parameters = {name: sum(p.numel() for p in m.parameters()) for name, m in
                           zip(["unet", "vae"] + ["text_encoder", "text_encoder_2"][:len(self.encoders)], self.modules)}

    def scheduler(self):
        from diffusers import EulerDiscreteScheduler  # noqa: PLC0415

        return EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                      prediction_type="v_prediction" if self.key == "sd21" else "epsilon",
                                      timestep_spacing="leading", steps_offset=1)

    def encode(self, ids):
        """StableDiffusion(XL)Pipeline.encode_prompt with CFG: [negative; positive] embeddings."""
        b = ids.shape[0]
        if self.key == "sd21":
            pos = self.encoders[0](ids)[0]
            empty = torch.full_like(ids, 49407)  # "": start of text, then end-of-text padding
            empty[:, 0] = 49406
            neg = self.encoders[0](empty)[0]
            return {"encoder_hidden_states": torch.cat([neg, pos]), "added_cond_kwargs": None}
        h1 = self.encoders[0](ids, output_hidden_states=True).hidden_states[-2]
        out2 = self.encoders[1](ids, output_hidden_states=True)
        pooled, h2 = out2[0], out2.hidden_states[-2]
        pos = torch.cat([h1, h2], dim=-1)
        s = self.size
        time_ids = torch.tensor([[s, s, 0, 0, s, s]], dtype=pos.dtype, device=pos.device).repeat(2 * b, 1)
        return {"encoder_hidden_states": torch.cat([torch.zeros_like(pos), pos]),
                "added_cond_kwargs": {"text_embeds": torch.cat([torch.zeros_like(pooled), pooled]), "time_ids": time_ids}}

    def unet_forward(self, sample, t, cond):
        kwargs = {"added_cond_kwargs": cond["added_cond_kwargs"]} if cond["added_cond_kwargs"] is not None else {}
        return self.unet(sample, t, encoder_hidden_states=cond["encoder_hidden_states"], return_dict=False, **kwargs)[0]

    def example(self, batch, steps):
        sched = self.scheduler()
        sched.set_timesteps(steps, device=DEVICE)
        ids = self.ids(batch)
        with torch.inference_mode():
            cond = self.encode(ids)
        lat = torch.zeros(2 * batch, 4, self.size // 8, self.size // 8, device=DEVICE, dtype=torch.float16)
        return lat, sched.timesteps[0], cond

    def ids(self, batch):
        g = torch.Generator().manual_seed(1)
        ids = torch.randint(0, 49405, (batch, 77), generator=g)
        ids[:, 0], ids[:, 20:] = 49406, 49407
        return ids.to(DEVICE)

    def request(self, batch, steps, unet_fn, clock):
        """One pipeline call, timed with genbench's IterationTimer; returns its times."""
        timer = clock.iteration()
        sched = self.scheduler()
        with torch.inference_mode():
            timer.start()
            ids = self.ids(batch)
            sched.set_timesteps(steps, device=DEVICE)
            g = torch.Generator().manual_seed(42)
            latents = torch.randn(batch, 4, self.size // 8, self.size // 8, generator=g).to(DEVICE, torch.float16)
            latents = latents * sched.init_noise_sigma
            with timer.phase("text_encode"):
                cond = self.encode(ids)
            for t in sched.timesteps:
                with timer.phase("step"):
                    model_in = sched.scale_model_input(torch.cat([latents] * 2), t)
                    noise = unet_fn(model_in, t, cond)
                    uncond, text = noise.chunk(2)
                    noise = uncond + GUIDANCE * (text - uncond)
                    latents = sched.step(noise, t, latents, return_dict=False)[0]
            with timer.phase("decode"):
                images = self.vae.decode(latents / self.vae.config.scaling_factor, return_dict=False)[0]
            timer.stop()
            times = timer.finish()
        del images
        return times


def run_diffusers(peer, spec, args, graphs, other_bytes, phases=False):
    """One trial: [capture,] warm-ups, measured requests; peaks in both scopes (and per phase when asked)."""
    release()
    resident = torch.cuda.memory_allocated() - other_bytes
    unet_fn, graphed = peer.unet_forward, None
    if graphs:
        with torch.inference_mode():
            lat, t0, cond = peer.example(spec["batch"], args.steps)
            graphed = GraphedUNet(peer.unet_forward, lat, t0, cond)
            del lat, t0, cond
        unet_fn = graphed
    capture_peak = torch.cuda.max_memory_allocated()
    clock = CudaClock()
    for _ in range(args.warmup):
        peer.request(spec["batch"], args.steps, unet_fn, clock)
    torch.cuda.synchronize()
    window_so_far = torch.cuda.max_memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    times = [peer.request(spec["batch"], args.steps, unet_fn, clock) for _ in range(args.requests)]
    torch.cuda.synchronize()
    steady = torch.cuda.max_memory_allocated()
    out = dict(step_ms=med([ns / 1e6 for t in times for ns in t["step"]]), e2e_s=med([t["e2e"][0] / 1e9 for t in times]),
               decode_ms=med([t["decode"][0] / 1e6 for t in times]),
               text_encode_ms=med([t["text_encode"][0] / 1e6 for t in times]),
               peak_allocated_gib=(max(window_so_far, steady) - other_bytes) / GiB,
               steady_peak_allocated_gib=(steady - other_bytes) / GiB, requests=len(times))
    if phases:
        pp = PhasePeaks()
        peer.request(spec["batch"], args.steps, unet_fn, pp)
        out["phases"] = dict(resident_gib=resident / GiB, prepare_gib=(capture_peak - other_bytes) / GiB,
                             later={k: (v - other_bytes) / GiB for k, v in pp.peaks.items()})
    del graphed, unet_fn
    release()
    return out


# ---------------------------------------------------------------------------------------------- decoders alone

def decode_experiments(model, peer, spec, reps=3):
    """The decoders alone on the same latents: activation peak above the allocation before the call, and time."""
    b, s = spec["batch"], spec["size"]
    g = torch.Generator().manual_seed(3)
    latents = torch.randn(b, 4, s // 8, s // 8, generator=g).to(DEVICE, torch.float16)
    variants = {
        "genbench": lambda: model.decode(latents),
        "genbench at e37e499": lambda: model.decode(latents),
        "genbench one image per call": lambda: torch.cat([model.decode(latents[i:i + 1]) for i in range(b)]),
        "diffusers vae.decode": lambda: peer.vae.decode(latents / peer.vae.config.scaling_factor, return_dict=False)[0],
    }
    out = {}
    for name, fn in variants.items():
        try:
            ctx = code_before_branch() if "before" in name else contextlib.nullcontext()
            with ctx, torch.inference_mode():
                fn()
                torch.cuda.synchronize()
                base = torch.cuda.memory_allocated()
                torch.cuda.reset_peak_memory_stats()
                ms = []
                for _ in range(reps):
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    images = fn()
                    end.record()
                    torch.cuda.synchronize()
                    ms.append(start.elapsed_time(end))
                    layout = "contiguous" if images.is_contiguous() else "channels_last" if images.is_contiguous(
                        memory_format=torch.channels_last) else "other"
                    del images
                out[name] = dict(ms=med(ms), activation_peak_gib=(torch.cuda.max_memory_allocated() - base) / GiB,
                                 output_layout=layout)
        except Exception as e:  # one variant must not lose the others
            traceback.print_exc()
            out[name] = {"error": repr(e)}
        release()
    for name, root, fn in (("genbench", model.vae_decoder, variants["genbench"]),
                           ("genbench at e37e499", model.vae_decoder, variants["genbench at e37e499"]),
                           ("diffusers vae.decode", peer.vae.decoder, variants["diffusers vae.decode"])):
        try:
            with code_before_branch() if "before" in name else contextlib.nullcontext():
                out["top modules: " + name] = module_peaks(root, fn)
        except Exception as e:
            traceback.print_exc()
            out["top modules: " + name] = {"error": repr(e)}
        release()
    # one eager UNet call at the case's CFG batch, op by op, in case the peak is in the loop rather than the decode
    try:
        with torch.inference_mode():
            ids = torch.randint(0, 49405, (2 * b, 77), generator=g).to(DEVICE)
            cond = model.encode_prompt(ids, height=s, width=s)
            sample = torch.randn(2 * b, 4, s // 8, s // 8, generator=g).to(DEVICE, torch.float16)
            t = torch.tensor(500.0, device=DEVICE)
        out["top modules: genbench UNet (eager, its current layout)"] = module_peaks(
            model.unet, lambda: model.unet_forward(sample, t, cond))
        release()
        with torch.inference_mode():
            lat, t0, pcond = peer.example(b, 20)
            lat = sample
        out["top modules: diffusers UNet (eager)"] = module_peaks(peer.unet, lambda: peer.unet_forward(lat, t0, pcond))
        del cond, pcond, lat, sample
    except Exception as e:
        traceback.print_exc()
        out["top modules: UNet"] = {"error": repr(e)}
    release()
    if "genbench" in out and "genbench at e37e499" in out:
        with torch.inference_mode():
            a = model.decode(latents)
            with code_before_branch():
                b_ = model.decode(latents)
            out["genbench now vs before: max abs difference"] = float((a.float() - b_.float()).abs().max())
            del a, b_
    return out


def module_peaks(root, fn, top=6):
    """Where a decoder reaches its peak: every aten op it runs (a dispatch mode, so functional calls such as F.silu,
    F.interpolate and the attention kernel count too) with the peak allocated during that op (reset before it) and
    the bytes live when it started, both above what was allocated before the call, and the module it ran in; the
    `top` highest. The peak minus the live bytes is the op's output plus its workspace."""
    from torch.utils._python_dispatch import TorchDispatchMode  # noqa: PLC0415

    rows, stack, base = [], ["(top)"], [0]

    class OpPeaks(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            live = torch.cuda.memory_allocated()
            result = func(*args, **(kwargs or {}))
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated()
            first = result[0] if isinstance(result, (tuple, list)) and result else result
            layout = None
            if torch.is_tensor(first) and first.dim() == 4:
                layout = "contiguous" if first.is_contiguous() else "channels_last" if first.is_contiguous(
                    memory_format=torch.channels_last) else "other"
            rows.append(dict(module=stack[-1], op=str(func), peak_gib=(peak - base[0]) / GiB,
                             live_at_start_gib=(live - base[0]) / GiB,
                             output=tuple(first.shape) if torch.is_tensor(first) else None, layout=layout))
            return result

    handles = []
    for name, m in root.named_modules():
        handles.append(m.register_forward_pre_hook(lambda _m, _i, name=name: stack.append(name or "(root)")))
        handles.append(m.register_forward_hook(lambda _m, _i, _o: stack.pop() and None))  # None: keep the output
    try:
        with torch.inference_mode():
            torch.cuda.synchronize()
            base[0] = torch.cuda.memory_allocated()
            with OpPeaks():
                images = fn()
            del images
    finally:
        for h in handles:
            h.remove()
    return sorted(rows, key=lambda r: -r["peak_gib"])[:top]


# ---------------------------------------------------------------------------------------------- driver

def attempt(results, key, fn):
    try:
        value = fn()
        results.setdefault(key, []).append(value)
        return value
    except Exception as e:  # one peer's failure must not lose the others
        traceback.print_exc()
        results.setdefault(key, []).append({"error": repr(e)})
        gc.collect()
        torch.cuda.empty_cache()
        return None


def summarize(trials):
    ok = [t for t in trials if "error" not in t]
    if not ok:
        return {"error": trials[-1]["error"] if trials else "not run"}
    keys = ("step_ms", "e2e_s", "decode_ms", "text_encode_ms", "peak_allocated_gib", "steady_peak_allocated_gib")
    out = {k: med([t[k] for t in ok if t.get(k) is not None]) for k in keys if any(t.get(k) is not None for t in ok)}
    out["step_ms_min_max"] = [min(t["step_ms"] for t in ok), max(t["step_ms"] for t in ok)]
    out["trials"] = len(ok)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--requests", type=int, default=3, help="measured requests per trial and peer")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--out", default=None, help="JSON file for every figure")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("diffusion_peer: needs a CUDA device (torch %s sees none)" % torch.__version__)
    import diffusers  # noqa: PLC0415
    import transformers  # noqa: PLC0415

    gscenarios.profiling.profile_iteration = lambda *a, **k: None  # the profile event is after every figure; skip it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still writes what was measured
    started = time.time()
    report = dict(date=time.strftime("%Y-%m-%d"), gpu=torch.cuda.get_device_name(), torch=torch.__version__,
                  diffusers=diffusers.__version__, transformers=transformers.__version__, args=vars(args),
                  cases={}, errors=[])
    groups = {}
    for name in args.cases:
        groups.setdefault(CASES[name]["key"], []).append(name)
    cache = ModelCache()
    try:
        for key, names in groups.items():
            spec0 = CASES[names[0]]
            peer = None
            try:
                peer = DiffusersPeer(key, spec0["size"])
            except Exception as e:
                traceback.print_exc()
                report["errors"].append("diffusers %s: %r" % (key, e))
            peer_bytes = peer.bytes if peer else 0
            loaded, _ = cache.get(genbench_case(spec0, "build", args), DEVICE)
            gen_bytes = tensor_bytes(loaded.model.components.values())
            per_case = {n: {} for n in names}
            for n in names:
                spec = CASES[n]
                report["cases"][n] = dict(model=spec["model"], batch=spec["batch"],
                                          resolution="%dx%d" % (spec["size"], spec["size"]),
                                          weights_gib=dict(genbench=gen_bytes / GiB, diffusers=peer_bytes / GiB),
                                          peers={}, trials=per_case[n], phases={})
            for trial in range(args.trials):
                for n in names:
                    spec, r = CASES[n], per_case[n]
                    print("[%5.0f s] %s trial %d" % (time.time() - started, n, trial + 1), file=sys.stderr, flush=True)
                    attempt(r, "genbench default", lambda: run_genbench(genbench_case(spec, n, args), cache, peer_bytes))
                    if key == "sd21":
                        attempt(r, "genbench graphs, channels_last off", lambda: run_genbench(
                            genbench_case(spec, n + "-nocl", args, channels_last=False), cache, peer_bytes))
                    if peer is not None:
                        attempt(r, "diffusers eager", lambda: run_diffusers(peer, spec, args, False, gen_bytes))
                        attempt(r, "diffusers + CUDA graphs", lambda: run_diffusers(peer, spec, args, True, gen_bytes))
            for n in names:
                spec, case_out = CASES[n], report["cases"][n]
                for label, trials in per_case[n].items():
                    case_out["peers"][label] = summarize(trials)
                ph = case_out["phases"]
                case = genbench_case(spec, n, args)
                attempt(ph, "genbench default", lambda: genbench_phases(case, cache, peer_bytes))
                with code_before_branch():
                    attempt(ph, "genbench default, code at e37e499", lambda: genbench_phases(case, cache, peer_bytes))
                if peer is not None:
                    for graphs in (False, True):
                        label = "diffusers + CUDA graphs" if graphs else "diffusers eager"
                        one = argparse.Namespace(**dict(vars(args), warmup=1, requests=1))
                        attempt(ph, label, lambda: run_diffusers(peer, spec, one, graphs, gen_bytes, phases=True)["phases"])
                    try:
                        case_out["decode"] = decode_experiments(loaded.model, peer, spec)
                    except Exception as e:
                        traceback.print_exc()
                        case_out["decode"] = {"error": repr(e)}
                ph.update({k: v[0] for k, v in ph.items() if isinstance(v, list)})
            del peer, loaded
            cache.clear()
            release()
    finally:  # whatever ran is kept, even when a later model group fails or the run is cut short
        report["wall_s"] = time.time() - started
        if args.out:
            with open(args.out, "w") as f:
                json.dump(report, f, indent=2)
        print_tables(report)


def fmt(v, spec="%.2f"):
    return "—" if v is None else spec % v


def print_tables(report):
    print("%s, torch %s, diffusers %s, transformers %s; float16, random weights, 20 steps, Euler, CFG; %d trial(s) x %d "
          "request(s); wall %.0f s" % (report["gpu"], report["torch"], report["diffusers"], report["transformers"],
                                       report["args"]["trials"], report["args"]["requests"], report.get("wall_s", 0)))
    print()
    print("| case | peer | step ms (min–max of trials) | x graphs peer | e2e s | decode ms | peak allocated GiB "
          "(window) | x graphs peer | steady GiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, c in report["cases"].items():
        ref = c["peers"].get("diffusers + CUDA graphs", {})
        for label, r in c["peers"].items():
            if "error" in r:
                print("| %s | %s | error: %s |||||||" % (name, label, r["error"]))
                continue
            rs = r["step_ms"] / ref["step_ms"] if ref.get("step_ms") else None
            rm = r["peak_allocated_gib"] / ref["peak_allocated_gib"] if ref.get("peak_allocated_gib") else None
            print("| %s | %s | %.2f (%.2f–%.2f) | %s | %.3f | %.1f | %.2f | %s | %s |" % (
                name, label, r["step_ms"], r["step_ms_min_max"][0], r["step_ms_min_max"][1], fmt(rs, "%.3f"),
                r["e2e_s"], r["decode_ms"], r["peak_allocated_gib"], fmt(rm, "%.3f"),
                fmt(r.get("steady_peak_allocated_gib"))))
    print()
    print("Where the memory goes: peak allocated GiB per phase (own weights included; first request / later ones)")
    print()
    print("| case | side | weights | capture / prepare | text encode | denoising loop | decode |")
    print("|---|---|---|---|---|---|---|")
    for name, c in report["cases"].items():
        for label, p in c["phases"].items():
            if not isinstance(p, dict) or "error" in p:
                print("| %s | %s | error: %s |||||" % (name, label, p.get("error") if isinstance(p, dict) else p))
                continue
            first, later = p.get("first", {}), p.get("later", {})

            def both(k):
                return "%s / %s" % (fmt(first.get(k)), fmt(later.get(k))) if first else fmt(later.get(k))
            print("| %s | %s | %s | %s | %s | %s | %s |" % (name, label, fmt(p.get("resident_gib")), fmt(p.get("prepare_gib")),
                                                         both("text_encode"), both("step"), both("decode")))
    print()
    print("Decoders alone on the same latents: activation peak GiB above the allocation before the call, ms")
    print()
    print("| case | decoder | activation peak GiB | ms | output layout |")
    print("|---|---|---|---|---|")
    for name, c in report["cases"].items():
        for label, d in (c.get("decode") or {}).items():
            if label.startswith("top modules"):
                continue
            if isinstance(d, dict) and "error" not in d:
                print("| %s | %s | %.3f | %.1f | %s |" % (name, label, d["activation_peak_gib"], d["ms"], d["output_layout"]))
            else:
                print("| %s | %s | %s |||" % (name, label, d))
    print()
    print("Where each decoder peaks (module, aten op, GiB above the allocation before the call: peak / live at the op's start)")
    print()
    for name, c in report["cases"].items():
        for label, rows in (c.get("decode") or {}).items():
            if label.startswith("top modules") and isinstance(rows, list):
                print("%s %s: %s" % (name, label[len("top modules: "):], "; ".join(
                    "%s %s %.2f / %.2f %s %s" % (r["module"], r["op"], r["peak_gib"], r["live_at_start_gib"],
                                                 r["layout"] or "", "x".join(map(str, r["output"] or ()))) for r in rows)))
    for e in report["errors"]:
        print("error:", e)


if __name__ == "__main__":
    main()
