#!/usr/bin/env python3
"""The worker's serving mode on a GPU, driven over its pipes as `genbench serve --backend torch` drives it.

For each model: start `python3 -m genbench_worker.serve`, wait for `ready`, warm up, then measure requests one at a
time. Per request: the worker's own compute_ns (device synchronized) and the host's round trip from writing the
request line to reading its last result line; their difference is what the pipe, JSON and base64 cost. LLM: TTFT and
inter-token gaps as the host sees the token lines. Percentiles nearest-rank.

Usage: bench/worker-serve-probe.py [--quick]   (figures on stdout; needs CUDA)
"""

import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "worker", "src")
QUICK = "--quick" in sys.argv


def pct(xs, p):
    s = sorted(xs)
    return s[max(0, math.ceil(p * len(s)) - 1)]


class Worker:
    def __init__(self, model, precision):
        env = dict(os.environ, PYTHONPATH=SRC, PYTHONUNBUFFERED="1")
        self.p = subprocess.Popen([sys.executable, "-m", "genbench_worker.serve", "--model", model, "--precision", precision,
                                   "--device", "cuda"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=0)
        self.ready = json.loads(self.p.stdout.readline())
        if self.ready["type"] != "ready":
            raise SystemExit("worker failed: %r" % self.ready)
        self.n = 0

    def request(self, message):
        """(lines for this request with the host's ns stamp each, time the request was written)."""
        self.n += 1
        message = dict(message, id="r%d" % self.n)
        t0 = time.perf_counter_ns()
        self.p.stdin.write((json.dumps(message) + "\n").encode())
        lines = []
        while True:
            line = json.loads(self.p.stdout.readline())
            lines.append((time.perf_counter_ns(), line))
            if line["type"] in ("images", "completion", "error"):
                if line["type"] == "error":
                    raise SystemExit("request failed: %r" % line)
                return lines, t0

    def close(self):
        self.p.stdin.close()
        self.p.wait(60)


def llm(model, prompt_chars, max_tokens, n):
    w = Worker(model, "float16")
    print("%s float16 on %s, torch %s: built in %.1f s" % (model, w.ready["device"], w.ready["torch"], w.ready["load_ns"] / 1e9))
    msg = {"type": "generate", "prompt": "x" * prompt_chars, "max_tokens": max_tokens, "stream": True, "ignore_eos": True}
    for _ in range(3):
        w.request(msg)
    ttft, itl, over, compute, tps = [], [], [], [], []
    for _ in range(n):
        lines, t0 = w.request(msg)
        stamps = [t for t, line in lines if line["type"] == "token"]
        done = lines[-1][1]
        ttft.append((stamps[0] - t0) / 1e6)
        itl += [(b - a) / 1e6 for a, b in zip(stamps, stamps[1:])]
        compute.append(done["compute_ns"] / 1e6)
        over.append((lines[-1][0] - t0 - done["compute_ns"]) / 1e6)
        tps.append(done["completion_tokens"] / (done["compute_ns"] / 1e9))
    w.close()
    print("  prompt %d tokens, %d output tokens, %d requests one at a time" % (prompt_chars + 1, max_tokens, n))
    for name, xs in (("TTFT, host (ms)", ttft), ("ITL, host (ms)", itl), ("compute, worker (ms)", compute),
                     ("round trip - compute (ms)", over), ("tokens/s, worker", tps)):
        print("  %-28s P50 %9.3f  P99 %9.3f  max %9.3f" % (name, pct(xs, .5), pct(xs, .99), max(xs)))


def images(model, size, steps, batches, n):
    w = Worker(model, "float16")
    print("%s float16 on %s, torch %s: built in %.1f s" % (model, w.ready["device"], w.ready["torch"], w.ready["load_ns"] / 1e9))
    for b in batches:
        msg = {"type": "images", "prompts": ["a red fox in the snow"] * b, "seeds": list(range(b)), "width": size,
               "height": size, "steps": steps, "guidance": 7.5, "format": "rgb"}
        for _ in range(2):
            w.request(msg)
        compute, over = [], []
        for _ in range(n):
            lines, t0 = w.request(msg)
            done = lines[-1][1]
            compute.append(done["compute_ns"] / 1e6)
            over.append((lines[-1][0] - t0 - done["compute_ns"]) / 1e6)
        print("  %dx%d, %d steps, batch %d, %d requests: compute P50 %.1f ms (%.2f images/s); round trip - compute"
              " P50 %.2f ms, P99 %.2f ms" % (size, size, steps, b, n, pct(compute, .5), b / (pct(compute, .5) / 1e3),
                                             pct(over, .5), pct(over, .99)))
    w.close()


if __name__ == "__main__":
    llm("facebook/opt-1.3b", 127, 128, 5 if QUICK else 20)
    images("stabilityai/stable-diffusion-2-1", 768, 20, (1, 4) if QUICK else (1, 2, 4, 8), 3 if QUICK else 5)
