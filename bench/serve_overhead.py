"""Serving overhead below saturation: one request at a time against `genbench serve` (one kept-alive connection),
each request's client-side response time against the times the server reports for it (`metrics`: queue, compute,
transfer, encode, e2e). Prints P50/P99/max of each, nearest rank, and two overheads:
  response - compute            what serving adds (HTTP, JSON, queueing, the pixels' transfer, PNG + base64)
  response - compute - encode   the same without the server's PNG/base64 encoding of the answer
FORMAT b64_json (default) has the PNGs in the body (2.36 MB at 768x768); url answers with URLs on the server, whose
PNGs this script fetches after taking the response's time (fetch times printed apart, not in the overhead).

  python3 bench/serve_overhead.py URL STEPS N [SIZE=768x768] [WARMUP=3] [FORMAT=b64_json|url]
"""
import http.client
import json
import math
import sys
import time
import urllib.parse

url, steps, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = sys.argv[4] if len(sys.argv) > 4 else "768x768"
warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 3
fmt = sys.argv[6] if len(sys.argv) > 6 else "b64_json"
if fmt not in ("b64_json", "url"):
    sys.exit("FORMAT (argument 6) must be b64_json or url, was %r" % fmt)
target = urllib.parse.urlsplit(url)


def rank(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p * len(s)) - 1)]


conn = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
rows = []
fetches = []
for i in range(n + warmup):
    body = json.dumps({"prompt": "a photo of an astronaut riding a horse on mars", "size": size, "steps": steps,
                       "seed": i, "response_format": fmt})
    t0 = time.perf_counter()
    conn.request("POST", "/v1/images/generations", body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    response_ms = (time.perf_counter() - t0) * 1000
    if r.status != 200:
        sys.exit("HTTP %d: %s" % (r.status, data[:300]))
    payload = json.loads(data)
    if fmt == "url":  # fetch the PNGs after the response is timed: they must be there and be PNGs
        for d in payload["data"]:
            u = urllib.parse.urlsplit(d["url"])
            f0 = time.perf_counter()
            conn.request("GET", u.path)
            fr = conn.getresponse()
            png = fr.read()
            if fr.status != 200 or not png.startswith(b"\x89PNG"):
                sys.exit("GET %s: HTTP %d" % (d["url"], fr.status))
            if i >= warmup:
                fetches.append(((time.perf_counter() - f0) * 1000, len(png)))
    if i >= warmup:  # the first requests warm up (CUDA graph capture of the shape, the JIT, the first batch's wait)
        m = payload["metrics"]
        rows.append((response_ms, m["compute_ms"], m.get("queue_ms", 0.0), m.get("transfer_ms", 0.0),
                     m.get("encode_ms", 0.0), m.get("e2e_ms", 0.0), len(data)))
print("genbench serve %s, %s, %d steps, response_format %s, %d sequential requests after %d warm-up, body %.4f MB"
      % (url, size, steps, fmt, len(rows), warmup, rows[0][6] / 1e6))
for name, k in (("response (client)", 0), ("compute", 1), ("queue", 2), ("transfer", 3), ("encode", 4),
                ("server e2e", 5)):
    v = [r[k] for r in rows]
    print("  %-28s p50 %9.3f ms  p99 %9.3f ms  max %9.3f ms" % (name, rank(v, .5), rank(v, .99), max(v)))
for name, f in (("response - compute", lambda r: r[0] - r[1]),
                ("response - compute - encode", lambda r: r[0] - r[1] - r[4]),
                ("server e2e - compute", lambda r: r[5] - r[1])):
    v = [f(r) for r in rows]
    print("  %-28s p50 %9.3f ms  p99 %9.3f ms  max %9.3f ms" % (name, rank(v, .5), rank(v, .99), max(v)))
if fetches:
    v = [f[0] for f in fetches]
    print("  %-28s p50 %9.3f ms  p99 %9.3f ms  max %9.3f ms  (%.2f MB each; not in the overheads)"
          % ("GET of the PNG (url)", rank(v, .5), rank(v, .99), max(v), fetches[0][1] / 1e6))
