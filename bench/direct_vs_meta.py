#!/usr/bin/env python3
"""The direct build's weights against the meta build's on one device (issue 18 goal 2): every parameter and buffer of
each model, built both ways with the same seed, must be bit-equal (worker/tests/test_construction.py checks it on CPU;
this checks it where the draws run on CUDA), and OPT's head must stay tied to its embedding. Also prints each build's
seconds (the second of the pair runs warm: not a first-use figure; bench/first_event.py --matrix is that).

Usage: /usr/bin/env python3 bench/direct_vs_meta.py [--device cuda] [--dtype float16] [--tiny] [MODEL ...]
Exit 0 when every model's weights are equal, 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src"))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="*", default=["stabilityai/stable-diffusion-2-1", "facebook/opt-1.3b"])
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="float16", choices=["float16", "bfloat16", "float32"])
    p.add_argument("--tiny", action="store_true")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    import torch

    from genbench_worker.models import registry

    device, dtype = torch.device(args.device), getattr(torch, args.dtype)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    ok = True
    for model_id in args.models:
        states, seconds = {}, {}
        for mode in ("direct", "meta"):
            start = time.perf_counter()
            model = registry.build(model_id, tiny=args.tiny, device=device, dtype=dtype, seed=args.seed, mode=mode)
            sync()
            seconds[mode] = time.perf_counter() - start
            if hasattr(model, "lm_head"):
                tied = model.lm_head.weight is model.model.decoder.embed_tokens.weight
                print("%s %s: head tied to the embedding: %s" % (model_id, mode, tied))
                ok &= tied
            components = model.components if hasattr(model, "components") else {"model": model}
            states[mode] = {n + "." + k: v.cpu() for n, m in components.items() for k, v in m.state_dict().items()}
            del model, components
            if device.type == "cuda":
                torch.cuda.empty_cache()
        a, b = states["direct"], states["meta"]
        differ = sorted(k for k in set(a) | set(b) if k not in a or k not in b or a[k].dtype != b[k].dtype
                        or not torch.equal(a[k], b[k]))
        ok &= not differ
        print("%s %s on %s: %d tensors, direct %.2f s, meta %.2f s, bit-equal: %s%s"
              % (model_id, args.dtype, device, len(a), seconds["direct"], seconds["meta"], not differ,
                 "" if not differ else " (differ: %s)" % differ[:5]), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
