"""Ground truth for the worker's `profile` and `flops` events, measured without the worker's code for either.

(a) GPU-busy time of the denoising step. SD 2.1 at 768x768, batch 1 with classifier-free guidance (UNet batch 2),
    float16, random weights, built through genbench_worker's model registry. For CUDA graphs off and on, the same
    10-step loop (UNet call + guidance + a simple latent update) runs
      * unprofiled, timed with perf_counter around the loop and one synchronize at its end: the real step time;
      * under torch.profiler (CPU + CUDA), read back from its exported Chrome trace (not from the kineto events the
        worker reads): the sum of the durations of the "kernel" records (and, separately, memcpy / memset), per
        step, and how many kernels a step ran.
    The graph is captured before any profiler session starts: on some CUDA/CUPTI stacks a profiler session that
    precedes a graph's capture leaves later sessions without GPU records.
(b) FLOPs of one UNet call with torch.utils.flop_counter.FlopCounterMode (torch >= 2.1) for SD 2.1 at 768 and
    SDXL at 1024, batch 1 with CFG (UNet batch 2), directly on the eager UNet (not through genbench_worker.measure.flops).

Writes one JSON file (--out) and prints it. --tiny uses the tiny configurations at small sizes and --device cpu
runs on the CPU (float32; no kernel records there): a smoke test of the script itself.

Usage: python3 bench/gpu_truth.py --out truth.json [--device cuda|cpu] [--tiny] [--steps 10]
"""
import argparse
import gc
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "worker", "src"))

import torch  # noqa: E402

from genbench_worker.models import registry  # noqa: E402

SD21 = "stabilityai/stable-diffusion-2-1"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
GUIDANCE = 7.5


def build(model_id, tiny, device, dtype):
    return registry.build(model_id, tiny=tiny, device=device, dtype=dtype, attention="sdpa", seed=0)


def unet_inputs(model, pixels, device, dtype):
    """UNet batch 2 (uncond + cond) for one image at pixels x pixels: latents, timestep, conditioning."""
    vocab = getattr(model, "vocab_size", None) or 49408
    ids = torch.cat([registry.tokenize("", 1, vocab, 77), registry.tokenize("a photo of an astronaut", 1, vocab, 77)])
    with torch.inference_mode():
        cond = model.encode_prompt(ids.to(device), height=pixels, width=pixels)
    g = torch.Generator().manual_seed(0)
    latents = torch.randn(model.latent_shape(1, pixels, pixels), generator=g).to(device, dtype)
    timestep = torch.tensor(500.0, device=device)
    return latents, timestep, cond


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Graphed:
    """The UNet call captured once in a CUDA graph (static input / output buffers), written here, not the worker's."""

    def __init__(self, unet_call, sample, timestep, cond):
        self.sample = sample.clone()
        self.timestep = timestep.clone()
        self.cond = cond
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                unet_call(self.sample, self.timestep, cond)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.out = unet_call(self.sample, self.timestep, cond)

    def __call__(self, sample, timestep, cond):
        self.sample.copy_(sample)
        self.graph.replay()
        return self.out


def denoise(unet_call, latents, timestep, cond, steps):
    for _ in range(steps):
        noise = unet_call(torch.cat([latents, latents]), timestep, cond)
        uncond, text = noise.chunk(2)
        latents = latents - 0.01 * (uncond + (text - uncond) * GUIDANCE)
    return latents


def wall_per_step_ns(unet_call, latents, timestep, cond, steps, device, repeats=3):
    """Median over repeats of (loop time / steps), one synchronize at the end of each loop."""
    times = []
    for _ in range(repeats + 1):  # the first loop is a warm-up
        sync(device)
        start = time.perf_counter_ns()
        denoise(unet_call, latents, timestep, cond, steps)
        sync(device)
        times.append((time.perf_counter_ns() - start) / steps)
    times = sorted(times[1:])
    return times[len(times) // 2]


def profiled_step(unet_call, latents, timestep, cond, steps, device):
    """Kernel time per step from the profiler's Chrome trace: sum of kernel durations, count, memcpy / memset."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    sync(device)
    with profile(activities=activities) as prof:
        start = time.perf_counter_ns()
        denoise(unet_call, latents, timestep, cond, steps)
        sync(device)
        profiled_wall = time.perf_counter_ns() - start
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "trace.json")
        prof.export_chrome_trace(path)
        with open(path) as f:
            trace = json.load(f)
    records = trace["traceEvents"] if isinstance(trace, dict) else trace
    kernels = [e for e in records if e.get("cat") == "kernel" and e.get("ph") == "X"]
    copies = [e for e in records if e.get("cat") in ("gpu_memcpy", "gpu_memset") and e.get("ph") == "X"]
    graph_launches = [e for e in records if e.get("name") in ("cudaGraphLaunch", "cuGraphLaunch")]
    return {
        "kernel_ns_per_step": sum(e["dur"] for e in kernels) * 1000 / steps,  # trace durations are microseconds
        "kernels_per_step": len(kernels) / steps,
        "memcpy_memset_ns_per_step": sum(e["dur"] for e in copies) * 1000 / steps,
        "graph_launches": len(graph_launches),
        "profiled_wall_ns_per_step": profiled_wall / steps,
    }


def busy(args, device, dtype):
    pixels = 64 if args.tiny else 768
    model = build(SD21, args.tiny, device, dtype)
    latents, timestep, cond = unet_inputs(model, pixels, device, dtype)

    def eager(sample, t, c):
        return model.unet_forward(sample, t, c)

    out = {"model": SD21, "tiny": args.tiny, "resolution": "%dx%d" % (pixels, pixels), "batch": 1,
           "unet_batch": 2, "precision": str(dtype).replace("torch.", ""), "steps": args.steps, "variants": {}}
    with torch.inference_mode():
        calls = {"cuda_graphs_off": eager}
        if device.type == "cuda":  # capture before any profiler session (see the module docstring)
            calls["cuda_graphs_on"] = Graphed(eager, torch.cat([latents, latents]), timestep, cond)
        for name, call in calls.items():
            variant = {"step_wall_ns": wall_per_step_ns(call, latents, timestep, cond, args.steps, device)}
            variant.update(profiled_step(call, latents, timestep, cond, args.steps, device))
            variant["kernel_busy_fraction"] = variant["kernel_ns_per_step"] / variant["step_wall_ns"]
            out["variants"][name] = variant
            print("%s: %s" % (name, json.dumps(variant)), file=sys.stderr)
    del model, calls
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return out


def unet_flops(args, device, dtype):
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:
        return {"method": None, "reason": "torch %s has no torch.utils.flop_counter (needs >= 2.1)" % torch.__version__}
    out = {"method": "torch.utils.flop_counter.FlopCounterMode", "unet_batch": 2, "models": {}}
    for model_id, pixels in ((SD21, 768), (SDXL, 1024)):
        if args.tiny:
            pixels = 64
        model = build(model_id, args.tiny, device, dtype)
        latents, timestep, cond = unet_inputs(model, pixels, device, dtype)
        sample = torch.cat([latents, latents])
        with torch.inference_mode():
            counter = FlopCounterMode(display=False)
            with counter:
                model.unet_forward(sample, timestep, cond)
        flops = int(counter.get_total_flops())
        out["models"][model_id] = {"resolution": "%dx%d" % (pixels, pixels), "unet_call_flops": flops,
                                   "unet_parameters": sum(p.numel() for p in model.unet.parameters())}
        print("%s %dx%d: %.3f TFLOP per UNet call" % (model_id, pixels, pixels, flops / 1e12), file=sys.stderr)
        del model, latents, cond, sample
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tiny", action="store_true", help="tiny configurations at 64x64 (a smoke test)")
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    started = time.time()
    result = {
        "torch": torch.__version__, "cuda": torch.version.cuda, "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "busy": busy(args, device, dtype),
        "flops": unet_flops(args, device, dtype),
    }
    result["seconds"] = round(time.time() - started, 1)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
