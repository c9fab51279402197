"""Python's collector pauses on a serving worker's thread, with and without serve's freeze_heap (issue 20).

Runs the serving worker in this process (`--tiny` model on the CPU, format rgb, one request at a time), times every
collection through gc.callbacks and prints, per generation, how many ran while requests were served and how long the
median and the longest took; then the same with freeze_heap replaced by a no-op (what serve did before).
Usage: /usr/bin/python3 bench/gc_probe.py [REQUESTS=600] [MODEL=stabilityai/stable-diffusion-2-1]
"""
import gc
import io
import json
import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src"))
from genbench_worker import serve  # noqa: E402


def probe(requests: int, model: str, freeze: bool) -> None:
    events, started = [], {}

    def timed(phase, info):
        if phase == "start":
            started["ns"] = time.perf_counter_ns()
        else:
            events.append((info["generation"], (time.perf_counter_ns() - started["ns"]) / 1e6))

    class Wire:
        def send(self, m):
            if m.get("type") == "ready":
                events.append(("ready", 0.0))  # what comes after this was paid while serving

    lines = "".join(json.dumps({"type": "images", "id": "r%d" % i, "prompts": ["a cat"], "seeds": [i], "width": 64,
                                "height": 64, "steps": 2, "format": "rgb"}) + "\n" for i in range(requests))
    real = serve.freeze_heap
    serve.freeze_heap = real if freeze else (lambda: 0)
    gc.callbacks.append(timed)
    try:
        serve.main(["--model", model, "--tiny", "--device", "cpu"], stdin=io.StringIO(lines), wire=Wire())
    finally:
        gc.callbacks.remove(timed)
        serve.freeze_heap = real
        gc.unfreeze()
    served = events[[k for k, e in enumerate(events) if e[0] == "ready"][0] + 1:]
    by = defaultdict(list)
    for generation, ms in served:
        by[generation].append(ms)
    print("freeze_heap %s, %d requests:" % ("on" if freeze else "off", requests))
    for generation in sorted(by):
        v = sorted(by[generation])
        print("  generation %d: %d collections while serving, %.3f ms in all, median %.3f ms, longest %.3f ms"
              % (generation, len(v), sum(v), v[(len(v) - 1) // 2], v[-1]))


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    m = sys.argv[2] if len(sys.argv) > 2 else "stabilityai/stable-diffusion-2-1"
    for freeze in (False, True, False, True):
        probe(n, m, freeze)
