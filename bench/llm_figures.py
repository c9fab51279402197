"""Prints issue 19's items 6-8 figures from a finished run directory (bench/gpu-llm-figures): per case the GPU-busy
fraction and its divisor, TPOT, FLOPs, MFU, and model_load_s beside the worker's loaded event (load_ns, reused)."""

import json
import os
import sys


def loaded_events(case_dir):
    path = os.path.join(case_dir, "events.jsonl")
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("type") == "loaded":
                out.append(event)
    return out


def fmt(value, pattern="%.4g"):
    return "n/a" if value is None else pattern % value


def main(run_dir):
    with open(os.path.join(run_dir, "results.json"), encoding="utf-8") as f:
        results = json.load(f)
    for c in results["cases"]:
        busy = c.get("gpu_busy") or {}
        eff = c.get("efficiency") or {}
        tpot = (c.get("latency") or {}).get("tpot") or {}
        step = (c.get("latency") or {}).get("per_step") or {}
        loads = [(e.get("load_ns"), e.get("reused")) for e in loaded_events(os.path.join(run_dir, "cases", c["case_id"]))]
        print(c["case_id"], "status", c.get("status"))
        print("  busy %s = kernels %s ms / %s ms (%s)" % (fmt(busy.get("fraction"), "%.3f"),
              fmt(busy.get("step_kernel_ms"), "%.3f"), fmt(busy.get("step_wall_ms"), "%.3f"), busy.get("method")))
        if tpot:
            print("  TPOT p50 %s ms, mean %s ms, tokens/s %s" % (fmt(tpot.get("p50_ns", 0) / 1e6, "%.3f"),
                  fmt(tpot.get("mean_ns", 0) / 1e6, "%.3f"), fmt(c.get("tokens_per_s"), "%.1f")))
        if step:
            print("  step p50 %s ms" % fmt(step.get("p50_ns", 0) / 1e6, "%.3f"))
        print("  FLOPs per request %s, prefill %s, per generated token %s; MFU %s %%; MBU %s %%" % (
              fmt(eff.get("flops_per_request")), fmt(eff.get("prefill_flops")), fmt(eff.get("flops_per_token")),
              fmt(eff.get("mfu_pct"), "%.2f"), fmt(eff.get("mbu_pct"), "%.2f")))
        print("  model_load_s %s; loaded events (load_ns, reused): %s" % (fmt(c.get("model_load_s"), "%.3f"), loads))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
