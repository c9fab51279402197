"""Issue 19 item 9 on one GPU: what keeps an eager case's reserved peak 8 % higher after a CUDA-graphed case of the
same model in the same worker? Runs the worker's own run_case in one process per variant and prints the peaks, and
what is still live after the graphed case (allocator stats and the live blocks of the snapshot).

  python3 bench/gpu_memory_diag.py alone|after|eager-twice [--segments]

Variants, each in its own process: `alone` (the eager case in a fresh worker), `after` (the same model CUDA-graphed,
then the eager case, one model cache), `eager-twice` (the eager case twice in one worker: the control without any
graph). The worker's memory window should give the eager case the same peak in all three.
"""
import io
import json
import sys

sys.path.insert(0, "worker/src")
import torch  # noqa: E402

from genbench_worker import backends  # noqa: E402
from genbench_worker.measure import memory  # noqa: E402
from genbench_worker.case import Case  # noqa: E402
from genbench_worker.protocol import EventStream  # noqa: E402
from genbench_worker.scenarios import run_case  # noqa: E402

COMMON = dict(model="stabilityai/stable-diffusion-2-1", batch_size=1, steps=10, width=768, height=768,
              precision="float16", warmup_iterations=1, min_iterations=5, max_iterations=10, min_duration_s=1.0)


def run(case, cache, device):
    sink = io.StringIO()
    ok = run_case(case, cache, EventStream(sink), device)
    events = [json.loads(line) for line in sink.getvalue().splitlines()]
    mem = [e for e in events if "memory" in (e.get("event"), e.get("type"), e.get("kind")) or "peak_reserved_bytes" in e]
    if not mem: print("  events:", [e.get("event", e.get("type")) for e in events], events[-2:])
    return ok, mem[0] if mem else None


def live(device):
    s = torch.cuda.memory_stats(device)
    print("  after graphed + release: allocated %.1f MiB, reserved %.1f MiB, segments %d, active blocks %d" % (
        s["allocated_bytes.all.current"] / 2**20, s["reserved_bytes.all.current"] / 2**20, s["segment.all.current"],
        s["active.all.current"]))
    for seg in torch.cuda.memory_snapshot() if "--segments" in sys.argv else []:
        blocks = [b for b in seg["blocks"] if b["state"] == "active_allocated"]
        if seg["total_size"] >= 2**20:
            print("  segment %7.1f MiB stream %s pool %s: %d live blocks %.1f MiB" % (
                seg["total_size"] / 2**20, seg.get("stream"), seg.get("segment_pool_id"), len(blocks),
                sum(b["size"] for b in blocks) / 2**20))


def main(variant):
    device = torch.device("cuda:0")
    cache = backends.ModelCache()
    eager = Case.build(id="eager", cuda_graphs=False, channels_last="auto", **COMMON)
    if variant == "eager-twice":  # control: the same eager case twice in one worker, no graph at all
        ok, mem = run(Case.build(id="eager-first", cuda_graphs=False, channels_last="auto", **COMMON), cache, device)
        print("first eager case ok=%s reserved %.4f GiB" % (ok, mem["peak_reserved_bytes"] / 2**30))
    elif variant != "alone":
        ok, mem = run(Case.build(id="graphed", cuda_graphs=True, channels_last="auto", **COMMON), cache, device)
        print("graphed case ok=%s reserved %.3f GiB" % (ok, mem["peak_reserved_bytes"] / 2**30))
        memory.release_cached(device)
        live(device)
    ok, mem = run(eager, cache, device)
    print("RESULT %s: eager ok=%s reserved %.4f GiB allocated %.4f GiB" % (
        variant, ok, mem["peak_reserved_bytes"] / 2**30, mem["peak_allocated_bytes"] / 2**30))


if __name__ == "__main__":
    main(sys.argv[1])
