#!/usr/bin/env python3
"""Where a fresh worker's time goes before its first measured iteration, part by part (issue 18 goal 2).

Each variant runs in a fresh process (`--one VARIANT`), on the comparison plan's first case (SD 2.1 1024x1024 batch 1
float16, 20 Euler steps, CUDA graphs), and prints one JSON line of seconds, each part synchronised on the device:
`torch` (import torch), `imports` (genbench's own modules), `context` (the device's context; torch.zeros), `build`,
`encode` (the example inputs: the text encoder's first call), `eager1`, `eager2` (the UNet's eager calls before the
capture), `capture`, `replay` (the graph's first replay), `iter1`, `iter2` (two whole iterations), and with `libs` the
seconds the background thread spent. Variants:
  base    as the worker does it
  libs    a thread warms the device's libraries (warm_libraries: cuBLAS, cuDNN, normalisation, attention) from right
          after `import torch`, while genbench's modules are imported, joined once the device's context is made (what
          the worker did in 9fbe663, reverted: no gain, bench/RESULTS.md §26)
  eager1  one eager UNet call before the capture instead of two
Usage: python3 bench/prepare_probe.py [--rounds 2] [--out FILE]   (runs every variant ROUNDS times, alternating)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "worker", "src"))
VARIANTS = ("base", "libs", "eager1")


def case_json(steps=20, size=1024):
    return {"protocol": 1, "cases": [{
        "id": "probe", "model": "stabilityai/stable-diffusion-2-1", "instance_type": "local", "precision": "float16",
        "batch_size": 1,
        "workload": {"kind": "diffusion", "steps": steps, "width": size, "height": size, "frames": None,
                     "guidance_scale": 7.5, "scheduler": "euler", "prompt": "a photo of an astronaut riding a horse"},
        "knobs": {"attention": "sdpa", "cuda_graphs": "auto", "compile": False, "channels_last": "auto"},
        "measure": {"warmup_iterations": 1, "max_warmup_iterations": 30, "max_warmup_s": 60.0,
                    "steady_tolerance": 0.05, "steady_window": 3, "min_iterations": 3, "max_iterations": 100,
                    "min_duration_s": 0.0, "target_ci_pct": 3.0, "max_measure_s": 3.0, "seed": 42},
        "weights": None, "save_images": None, "tiny": False, "backend": "torch"}]}


def warm_libraries(torch, out: dict) -> None:
    """The first use of cuBLAS, cuDNN (both memory formats), normalisation, attention, activations and resampling on
    device 0, float16 at tiny shapes; `out["seconds"]` how long it took."""
    start = time.perf_counter()
    F = torch.nn.functional
    d, h = torch.device("cuda", 0), torch.float16
    with torch.inference_mode():
        a = torch.randn(64, 64, device=d, dtype=h)
        a @ a, F.linear(a, a, a[0]), torch.baddbmm(a[None], a[None], a[None])
        x = torch.randn(1, 8, 16, 16, device=d, dtype=h)
        w = torch.randn(8, 8, 3, 3, device=d, dtype=h)
        F.conv2d(x, w, padding=1)
        F.conv2d(x.contiguous(memory_format=torch.channels_last), w.contiguous(memory_format=torch.channels_last),
                 padding=1)
        F.group_norm(F.silu(x), 4), F.layer_norm(F.gelu(a), (64,)), F.interpolate(x, scale_factor=2.0)
        q = torch.randn(1, 2, 16, 64, device=d, dtype=h)
        F.scaled_dot_product_attention(q, q, q), torch.softmax(a, dim=-1)
        torch.cuda.synchronize(d)
    torch._C._cuda_clearCublasWorkspaces()
    out["seconds"] = round(time.perf_counter() - start, 3)


def one(variant: str) -> dict:
    t = {}
    start = time.perf_counter()
    mark = [start]

    def lap(name):
        now = time.perf_counter()
        t[name] = round(now - mark[0], 3)
        mark[0] = now

    import torch
    lap("torch")
    libs = {}
    if variant == "libs":  # cuBLAS and cuDNN loaded on a thread from here, joined once the device's context is made
        thread = threading.Thread(target=warm_libraries, args=(torch, libs), daemon=True)
        thread.start()
    from genbench_worker.backends import ModelCache
    from genbench_worker.case import Job
    from genbench_worker.scenarios import scenario_for
    from genbench_worker.scenarios import diffusion
    from genbench_worker.scenarios.diffusion import inference_context
    lap("imports")
    device = torch.device("cuda", 0)
    torch.zeros(1, device=device)
    torch.cuda.synchronize()
    lap("context")
    if variant == "libs":
        thread.join()
        lap("libs_join")
    case = Job.from_json(json.dumps(case_json())).cases[0]
    cache = ModelCache(prime=lambda *a: None)
    loaded, _ = cache.get(case, device)
    case = case.resolved("cuda", loaded.family)
    torch.cuda.synchronize()
    lap("build")
    sc = scenario_for(case, loaded, device)
    diffusion.set_unet_memory_format(sc.model.unet, sc.knobs.channels_last)
    with inference_context():
        latents, cond = sc._example_inputs()
        torch.cuda.synchronize()
        lap("encode")
        forward = sc.model.unet_forward
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            forward(latents, sc._timesteps[0], cond)
            torch.cuda.synchronize()
            lap("eager1")
            if variant != "eager1":
                forward(latents, sc._timesteps[0], cond)
                torch.cuda.synchronize()
                lap("eager2")
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            forward(latents, sc._timesteps[0], cond)
        torch.cuda.synchronize()
        lap("capture")
        graph.replay()
        torch.cuda.synchronize()
        lap("replay")
    sc.close()
    sc.prepare()
    torch.cuda.synchronize()
    lap("prepare_again")
    sc.iterate()
    torch.cuda.synchronize()
    lap("iter1")
    sc.iterate()
    torch.cuda.synchronize()
    lap("iter2")
    t["total"] = round(time.perf_counter() - start, 3)
    return {"variant": variant, "seconds": t, "libs": libs, "torch": torch.__version__,
            "cudnn": torch.backends.cudnn.version(), "cudnn_benchmark": torch.backends.cudnn.benchmark}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--one")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out")
    a = p.parse_args()
    if a.one:
        print(json.dumps(one(a.one)), flush=True)
        return
    env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_EARLY_CUDA="0")
    rows = []
    for r in range(a.rounds):
        for v in VARIANTS:
            start = time.perf_counter()
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", v], env=env, capture_output=True,
                                 text=True)
            line = [l for l in out.stdout.splitlines() if l.startswith("{")]
            row = json.loads(line[-1]) if line else {"variant": v, "error": out.stderr[-800:]}
            row["process_s"] = round(time.perf_counter() - start, 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
