#!/usr/bin/env python3
"""From a worker's start to its first measured iteration, without Java (issue 18 goal 2: start to first measured event).

Starts `python3 -m genbench_worker --job JOB` fresh, ROUNDS times alternating GENBENCH_EARLY_CUDA=1 and =0 (the CUDA
context made alongside the torch import, or after it), on one case: the comparison plan's first, SD 2.1 1024x1024
batch 1 float16, 20 Euler steps, the plan defaults (warm-up >= 2, knobs auto). For each start it prints the seconds
from the process start to each first event on stdout (hello, loaded, warmup, warmed, sample), the worker's own
start-up and prime lines and `done.phases`, and checks that every start said the same hello (driver, devices,
versions; pid and nothing else may differ) and that the driver equals nvidia-smi's.

With --matrix (issue 18 goal 2: the bytecode cache and the direct build) it starts instead, each a fresh process with
the context made early: for GENBENCH_BUILD=meta and then =direct, a cold genbench bytecode cache (a fresh, empty
GENBENCH_PYCACHE directory) and then the same directory warm; then one more warm start of each (the order's check).
The worker's start-up line says whether the cache was used at all (it is not where torch's own bytecode exists).

Usage: python3 bench/first_event.py [--rounds 2] [--device cuda] [--tiny] [--steps 20] [--size 1024] [--out DIR]
       /usr/bin/env python3 bench/first_event.py --matrix [--max-measure-s 3] [--out DIR]
Writes DIR/first-event.json (all rounds) when --out is given. PYTHONPATH is set for the workers by the script.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "worker", "src"))
FIRSTS = ("hello", "loaded", "warmup", "warmed", "sample")


def job(args) -> dict:
    return {"protocol": 1, "cases": [{
        "id": "first-event-sd21-b1-%d" % args.size, "model": "stabilityai/stable-diffusion-2-1",
        "instance_type": "local", "precision": "float16" if args.device != "cpu" else "float32", "batch_size": 1,
        "workload": {"kind": "diffusion", "steps": args.steps, "width": args.size, "height": args.size, "frames": None,
                     "guidance_scale": 7.5, "scheduler": "euler", "prompt": "a photo of an astronaut riding a horse"},
        "knobs": {"attention": "sdpa", "cuda_graphs": "auto", "compile": False, "channels_last": "auto"},
        "measure": {"warmup_iterations": args.warmup_iterations, "max_warmup_iterations": 30, "max_warmup_s": 60.0,
                    "steady_tolerance": 0.05, "steady_window": 3, "min_iterations": args.min_iterations,
                    "max_iterations": 100, "min_duration_s": 0.0, "target_ci_pct": 3.0,
                    "max_measure_s": args.max_measure_s,
                    "seed": 42},
        "weights": None, "save_images": None, "tiny": args.tiny, "backend": "torch"}]}


def one(path: str, early: str, device: str, extra_env=None, label=None) -> dict:
    env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_EARLY_CUDA=early, PYTHONUNBUFFERED="1", **(extra_env or {}))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "genbench_worker", "--job", path, "--device", device],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    firsts, hello, phases = {}, None, None
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind = event.get("type")
        if kind in FIRSTS and kind not in firsts:
            firsts[kind] = round(time.perf_counter() - start, 3)
        if kind == "hello":
            hello = {k: v for k, v in event.items() if k != "pid"}
        if kind == "done":
            phases = {k: round(v / 1e9, 3) for k, v in (event.get("phases") or {}).items()}
    err = proc.stderr.read()
    rc = proc.wait()
    lines = [l for l in err.splitlines() if l.startswith("genbench_worker: hello") or "primed for" in l
             or " phases: " in l or l.startswith("genbench_worker: built ")]
    return {"label": label or "early=%s" % early, "env": extra_env or {}, "early": early, "rc": rc,
            "seconds_to_first": firsts, "phases": phases, "hello": hello, "log": lines,
            "stderr_tail": err.splitlines()[-5:] if rc else []}


def nvidia_smi_driver():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip().splitlines()[0].strip() if out.returncode == 0 else None
    except Exception:
        return None


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--device", default="cuda")
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--min-iterations", type=int, default=3)
    p.add_argument("--warmup-iterations", type=int, default=1, help="the minimum warm-up count (default 1, the plan's)")
    p.add_argument("--max-measure-s", type=float, default=10.0)
    p.add_argument("--matrix", action="store_true",
                   help="cold and warm bytecode cache x GENBENCH_BUILD meta and direct, instead of the early rounds")
    p.add_argument("--out")
    args = p.parse_args()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job(args), f)
    runs = []
    caches = tempfile.mkdtemp(prefix="genbench-first-event-pycache-")

    def report(run):
        runs.append(run)
        print("%s rc=%d first events (s): %s" % (run["label"], run["rc"], run["seconds_to_first"]), flush=True)
        for line in run["log"]:
            print("    " + line)
        for line in run["stderr_tail"]:
            print("    stderr: " + line)

    try:
        if args.matrix:
            starts = []
            for build in ("meta", "direct"):
                cache = os.path.join(caches, build)
                starts += [(build, cache, "cold"), (build, cache, "warm")]
            starts += [(build, os.path.join(caches, build), "warm") for build in ("meta", "direct")]
            for build, cache, state in starts:
                report(one(f.name, "1", args.device, {"GENBENCH_BUILD": build, "GENBENCH_PYCACHE": cache},
                           "build=%s pycache=%s" % (build, state)))
            print("\n%-30s %7s %7s %7s %7s" % ("start", "hello", "loaded", "warmup", "sample"))
            for run in runs:
                t = run["seconds_to_first"]
                print("%-30s %7s %7s %7s %7s" % (run["label"], *(t.get(k, "-") for k in ("hello", "loaded", "warmup",
                                                                                        "sample"))))
        else:
            for r in range(args.rounds):
                for early in ("1", "0"):
                    report(one(f.name, early, args.device))
    finally:
        os.unlink(f.name)
        shutil.rmtree(caches, ignore_errors=True)
    hellos = {json.dumps(r["hello"], sort_keys=True) for r in runs}
    smi = nvidia_smi_driver()
    drivers = {r["hello"].get("driver") for r in runs if r["hello"]}
    print("every start said the same hello: %s" % (len(hellos) == 1))
    if smi is not None or drivers - {None}:
        print("hello's driver %s, nvidia-smi's %s: %s" % (sorted(map(str, drivers)), smi,
                                                         "same" if drivers == {smi} else "DIFFERENT"))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "first-event.json"), "w") as out:
            json.dump({"runs": runs, "nvidia_smi_driver": smi}, out, indent=1)
    return 0 if all(r["rc"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
