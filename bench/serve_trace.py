"""Where an image request's time goes inside `genbench serve --backend torch`, phase by phase, from a serve log written
with GENBENCH_SERVE_TRACE=1: the JVM's `serve-trace WHAT KEY NS` lines (System.nanoTime) and the worker's
`serve: trace2 ID k=NS ...` lines (perf_counter_ns), both CLOCK_MONOTONIC on Linux, so they line up. Meant for one
request at a time (bench/serve_overhead.py; one worker): the k-th request, batch and worker request go together.
Prints P50 / P99 / max of each phase over the requests after the first SKIP (default 3), and the sums before and after
the worker's compute: what serving adds inside the server.

  python3 bench/serve_trace.py SERVE_LOG [SKIP]
"""
import math
import re
import sys

log = sys.argv[1]
skip = int(sys.argv[2]) if len(sys.argv) > 2 else 3
java = {}  # what -> list of (key, ns) in log order
worker = {}  # id -> {mark: ns}
worker_order = []
for line in open(log, errors="replace"):
    m = re.search(r"serve-trace (\w+) (\S+) (\d+)", line)
    if m:
        java.setdefault(m.group(1), []).append((m.group(2), int(m.group(3))))
        continue
    m = re.search(r"serve: trace2 (\S+) (.*)$", line)
    if m:
        worker[m.group(1)] = {k: int(v) for k, v in (kv.split("=") for kv in m.group(2).split())}
        worker_order.append(m.group(1))
if not worker or "sent" not in java:
    sys.exit("no trace lines in %s (was serve started with GENBENCH_SERVE_TRACE=1, --backend torch?)" % log)

by_id = {what: {k: ns for k, ns in marks} for what, marks in java.items() if what in ("sent", "computed", "line", "readStart", "read")}
by_seq = {what: {k: ns for k, ns in marks} for what, marks in java.items() if what in ("batch", "handed", "ready", "loop", "ending", "flushed")}
arrived = [ns for _, ns in java.get("arrived", [])]
sent_order = [k for k, _ in java["sent"]]
batch_order = [k for k, _ in java.get("batch", [])]

rows = []
for k, rid in enumerate(sent_order):
    if rid not in worker or k >= len(batch_order):
        continue
    seq = batch_order[k]
    t = {"arrived": arrived[k] if k < len(arrived) else None, "batch": by_seq["batch"].get(seq)}
    t["j_sent"] = by_id["sent"].get(rid)
    for name, ns in worker[rid].items():
        t["w_" + name] = ns
    for what in ("computed", "line", "readStart", "read"):
        t["j_" + what] = by_id.get(what, {}).get(rid)
    for what in ("handed", "ready", "loop", "ending", "flushed"):
        t[what] = by_seq.get(what, {}).get(seq)
    rows.append(t)
rows = rows[skip:]

PHASES = [
    ("arrived -> batch (queue, batcher)", "arrived", "batch"),
    ("batch -> request on the pipe (JVM)", "batch", "j_sent"),
    ("pipe -> worker read it", "j_sent", "w_recv"),
    ("worker read -> compute start", "w_recv", "w_start"),
    ("compute (the worker's own)", "w_start", "w_end"),
    ("compute end -> computed sent", "w_end", "w_computed"),
    ("computed sent -> JVM got it", "w_computed", "j_computed"),
    ("computed -> pixels on the host", "w_computed", "w_host"),
    ("host -> writer thread runs", "w_host", "w_writer"),
    ("writer -> file written", "w_writer", "w_written"),
    ("written -> images line sent", "w_written", "w_sent"),
    ("images line sent -> JVM read it", "w_sent", "j_line"),
    ("JVM line -> reader thread", "j_line", "j_readStart"),
    ("file read (JVM)", "j_readStart", "j_read"),
    ("read -> handed to the server", "j_read", "handed"),
    ("handed -> answer ready", "handed", "ready"),
    ("ready -> event loop", "ready", "loop"),
    ("event loop -> answer made (metrics, JSON)", "loop", "ending"),
    ("answer made -> written to the socket", "ending", "flushed"),
    ("= before compute (arrived -> start)", "arrived", "w_start"),
    ("= after compute (end -> socket)", "w_end", "flushed"),
]


def rank(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p * len(s)) - 1)]


print("%s: %d requests traced after %d skipped (times in ms)" % (log, len(rows), skip))
for name, a, b in PHASES:
    v = [(r[b] - r[a]) / 1e6 for r in rows if r.get(a) is not None and r.get(b) is not None]
    if v:
        print("  %-40s p50 %8.3f  p99 %8.3f  max %8.3f  (n %d)" % (name, rank(v, .5), rank(v, .99), max(v), len(v)))
