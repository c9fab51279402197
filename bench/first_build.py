#!/usr/bin/env python3
"""Where a fresh worker process spends its time before the first model is built (issue 18 goal 2), without Java.

One fresh process per invocation (run it again for another configuration: what is measured is first use):
  import torch, the CUDA context, then the worker's untimed prime (the model's tiny configuration, built once) split
  into its pieces (meta construction, to_empty, the seeded draws), then the timed build of the real-size model, with
  the draws done by the current code (`construction.materialize`) and, with --reference, a second real-size build by
  the previous code (worker/tests/test_construction.py's verbatim copy: a float32 scratch tensor allocated per parameter, drawn, copied) whose
  weights are compared tensor by tensor with the current build's (same seed, same device: they must be equal).

`registry.build` goes the way GENBENCH_BUILD says (direct by default on CUDA, models/construction.py); the "meta
construction" pieces always use the meta device (they time its first use; bench/first_event.py --matrix times a
worker with each way).

Usage: PYTHONPATH=worker/src python3 bench/first_build.py [--device cuda|cpu] [--model ID] [--dtype float16]
       [--tiny-only] [--reference] [--seed 42]
Prints one `name seconds` line per piece and a final JSON line (`{"first_build": {...}}`).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

T0 = time.perf_counter()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src"))
figures = {}


def mark(name, since):
    now = time.perf_counter()
    figures[name] = round(now - since, 4)
    print("%-34s %8.3f s" % (name, now - since), flush=True)
    return now


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda")
    p.add_argument("--model", default="stabilityai/stable-diffusion-2-1")
    p.add_argument("--dtype", default="float16", choices=["float16", "bfloat16", "float32"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--tiny-only", action="store_true", help="the prime only (no real-size build)")
    p.add_argument("--reference", action="store_true", help="also build by the previous code and compare weights")
    args = p.parse_args()

    t = time.perf_counter()
    import torch
    t = mark("import torch", t)
    from genbench_worker.models import construction, registry
    t = mark("import the worker's models", t)
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    dtype = getattr(torch, args.dtype)

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    if cuda:
        torch.zeros(1, device=device)
        sync()
        t = mark("CUDA context (torch.zeros)", t)
        figures["cuda_module_loading"] = os.environ.get("CUDA_MODULE_LOADING", "(unset)")
        figures["arch_list"] = torch.cuda.get_arch_list()
        figures["gpu"] = torch.cuda.get_device_name(device)
    figures["torch"] = torch.__version__

    # the prime's pieces, one first use at a time
    x = torch.empty(1 << 20, dtype=torch.float32, device=device)
    g = torch.Generator(device=device)
    g.manual_seed(1)
    sync()
    t = mark("first: generator + empty", t)
    x.uniform_(-1, 1, generator=g)
    sync()
    t = mark("first: uniform_", t)
    x.normal_(0, 1, generator=g)
    sync()
    t = mark("first: normal_", t)
    x.to(dtype)
    sync()
    t = mark("first: float32 -> %s copy" % args.dtype, t)
    x.fill_(1.0)
    sync()
    t = mark("first: fill_", t)
    del x

    spec = registry.spec(args.model, tiny=True)
    factories = registry.component_factories(spec)
    metas = {name: construction.build_meta(make) for name, make in factories.items()}
    t = mark("tiny: meta construction", t)
    tiny = registry.build(args.model, tiny=True, device=device, dtype=dtype, seed=args.seed)
    sync()
    t = mark("tiny: whole build (the prime)", t)
    del tiny, metas
    tiny = registry.build(args.model, tiny=True, device=device, dtype=dtype, seed=args.seed)
    sync()
    t = mark("tiny: second build", t)
    del tiny
    if args.tiny_only:
        print(json.dumps({"first_build": figures}))
        return 0

    spec = registry.spec(args.model)
    factories = registry.component_factories(spec)
    metas = {name: construction.build_meta(make) for name, make in factories.items()}
    t = mark("real: meta construction", t)
    del metas
    model = registry.build(args.model, device=device, dtype=dtype, seed=args.seed)
    sync()
    t = mark("real: build (current code)", t)
    figures["parameters"] = int(sum(model.parameter_counts().values()))
    if args.reference:
        current = {name + "." + k: v for name, m in model.components.items() for k, v in m.state_dict().items()}
        if not cuda:
            current = {k: v.clone() for k, v in current.items()}
        else:
            current = {k: v.cpu() for k, v in current.items()}
        del model
        if cuda:
            torch.cuda.empty_cache()
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "worker", "tests"))
        from test_construction import previous_materialize  # noqa: PLC0415 (the previous code, kept verbatim there)

        t = time.perf_counter()
        modules = {}
        for i, (name, make) in enumerate(factories.items()):
            modules[name] = previous_materialize(construction.build_meta(make), device, dtype, args.seed + 1000 * i)
        sync()
        t = mark("real: build (previous code)", t)
        old = {name + "." + k: v for name, m in modules.items() for k, v in m.state_dict().items()}
        differ = [k for k in current if not torch.equal(current[k], old[k].cpu())]
        figures["weights_equal"] = not differ and set(current) == set(old)
        print("weights equal to the previous code's: %s%s" % (figures["weights_equal"],
                                                             "" if not differ else " (differ: %s)" % differ[:5]))
    figures["process_s"] = round(time.perf_counter() - T0, 4)
    print(json.dumps({"first_build": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
