"""Serving overhead below saturation: one request at a time against `genbench serve`, each request's client-side
response time against the compute time the server reports for it (`metrics.compute_ms`): overhead = response - compute
(HTTP, JSON, queueing of one, PNG encoding and base64 included). Prints P50/P99/max of each, nearest rank.

  python3 bench/serve_overhead.py URL STEPS N
"""
import json
import math
import sys
import time
import urllib.request

url, steps, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def rank(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p * len(s)) - 1)]


rows = []
for i in range(n + 3):
    body = json.dumps({"prompt": "a photo of an astronaut riding a horse on mars", "size": "768x768", "steps": steps,
                       "seed": i, "response_format": "b64_json"}).encode()
    req = urllib.request.Request(url + "/v1/images/generations", data=body, headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as r:
        payload = json.loads(r.read())
    response_ms = (time.perf_counter() - t0) * 1000
    if i >= 3:  # the first requests warm up (CUDA graph capture of the shape)
        m = payload["metrics"]
        rows.append((response_ms, m["compute_ms"], m.get("queue_ms", 0.0), m.get("e2e_ms", 0.0)))
for name, k in (("response", 0), ("compute", 1), ("queue", 2), ("server e2e", 3)):
    v = [r[k] for r in rows]
    print("%-22s p50 %9.3f ms  p99 %9.3f ms  max %9.3f ms" % (name, rank(v, .5), rank(v, .99), max(v)))
over = [r[0] - r[1] for r in rows]
print("%-22s p50 %9.3f ms  p99 %9.3f ms  max %9.3f ms  (n=%d)" % ("overhead resp-compute", rank(over, .5), rank(over, .99), max(over), len(rows)))
