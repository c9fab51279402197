"""Where an image request's time goes inside `genbench serve --backend torch`, phase by phase, from a serve log written
with GENBENCH_SERVE_TRACE=1: the JVM's `serve-trace WHAT KEY NS` lines (System.nanoTime) and the worker's
`serve: trace2 ID k=NS ...` lines (perf_counter_ns), both CLOCK_MONOTONIC on Linux, so they line up. Meant for one
request at a time (bench/serve_overhead.py; one worker): a worker request belongs to the last batch started before it
was sent, and that batch to the last request that arrived before it.
Prints P50 / P99 / max of each phase over the requests after the first SKIP (default 3; COUNT of them, default all),
and the sums before and after the worker's compute: what serving adds inside the server. SLOWEST=N: then the N
requests with the most time before and after their compute, phase by phase; with SAFEPOINTS=FILE (the server JVM's
`-Xlog:safepoint:file=FILE:timenanos`, whose stamps are System.nanoTime too) also the JVM safepoints that ended while
each of them was in the server.

  python3 bench/serve_trace.py SERVE_LOG [SKIP [COUNT]]
"""
import bisect
import math
import os
import re
import sys

log = sys.argv[1]
skip = int(sys.argv[2]) if len(sys.argv) > 2 else 3
count = int(sys.argv[3]) if len(sys.argv) > 3 else None
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
arrived = sorted((ns, "") for _, ns in java.get("arrived", []))
batches = sorted((ns, k) for k, ns in java.get("batch", []))  # serve's warm-up batches too (the in-JVM ones reach no worker)


def latest(pairs, before):
    """The last (ns, key) of time-sorted `pairs` at or before `before`, or None."""
    k = bisect.bisect_right(pairs, (before, chr(0x10FFFF)))
    return pairs[k - 1] if k else None


rows = []
for rid, sent_ns in sorted(java["sent"], key=lambda kv: kv[1]):
    if rid not in worker:
        continue
    batch = latest(batches, sent_ns)  # the batch that sent this worker request: the last to start before it
    if batch is None:
        continue
    seq = batch[1]
    came = latest(arrived, batch[0])
    t = {"arrived": came[0] if came else None, "batch": batch[0], "j_sent": sent_ns}
    for name, ns in worker[rid].items():
        t["w_" + name] = ns  # w_gc: the worker's time in its garbage collector since its previous traced request
    for what in ("computed", "line", "readStart", "read"):
        t["j_" + what] = by_id.get(what, {}).get(rid)
    for what in ("handed", "ready", "loop", "ending", "flushed"):
        t[what] = by_seq.get(what, {}).get(seq)
    rows.append(t)
rows = rows[skip:] if count is None else rows[skip:skip + count]

PHASES = [
    ("arrived -> batch (queue, batcher)", "arrived", "batch"),
    ("batch -> request on the pipe (JVM)", "batch", "j_sent"),
    ("pipe -> worker read it", "j_sent", "w_recv"),
    ("worker read -> compute start", "w_recv", "w_start"),
    ("compute (the worker's own)", "w_start", "w_end"),
    ("compute end -> computed sent", "w_end", "w_computed"),
    ("  end -> its time noted (soon disarmed)", "w_end", "w_noted"),
    ("  noted -> computed line made", "w_noted", "w_sending"),
    ("  line made -> written to the pipe", "w_sending", "w_computed"),
    ("computed sent -> JVM got it", "w_computed", "j_computed"),
    ("computed -> pixels on the host", "w_computed", "w_host"),
    ("host -> writer thread runs", "w_host", "w_writer"),
    ("writer -> file written", "w_writer", "w_written"),
    ("written -> images line sent", "w_written", "w_sent"),
    ("images line sent -> JVM read it", "w_sent", "j_line"),
    ("JVM line -> reader thread", "j_line", "j_readStart"),
    ("file read (JVM)", "j_readStart", "j_read"),
    ("read -> handed to the server", "j_read", "handed"),
    ("JVM line -> handed to the server (url: no read first)", "j_line", "handed"),
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
def summary(name, v):
    if v:
        print("  %-40s p50 %8.3f  p99 %8.3f  max %8.3f  (n %d)" % (name, rank(v, .5), rank(v, .99), max(v), len(v)))


SUMS = PHASES[-2:]  # before and after the compute


def span(r, a, b):
    """ns from moment `a` to moment `b` of `r`, or None when it lacks either."""
    return r[b] - r[a] if r.get(a) is not None and r.get(b) is not None else None


def in_server(r):
    """ns of `r` in the server before and after its compute, over the sums whose two moments it has."""
    return sum(span(r, a, b) or 0 for _, a, b in SUMS)


for name, a, b in PHASES:
    summary(name, [span(r, a, b) / 1e6 for r in rows if span(r, a, b) is not None])
summary("= in the server in all (before + after)",
        [in_server(r) / 1e6 for r in rows if all(span(r, a, b) is not None for _, a, b in SUMS)])
summary("worker's garbage collector (in the above)", [r["w_gc"] / 1e6 for r in rows if r.get("w_gc") is not None])


def safepoints(path):
    """(end ns, total ns, name) of each safepoint in a `-Xlog:safepoint::timenanos` log."""
    out = []
    for line in open(path, errors="replace"):
        m = re.match(r"\[(\d+)ns\].*Safepoint \"([^\"]+)\".*Total: (\d+) ns", line)
        if m:
            out.append((int(m.group(1)), int(m.group(3)), m.group(2)))
    return out


slowest = int(os.environ.get("SLOWEST", "0"))
if slowest:
    sp = safepoints(os.environ["SAFEPOINTS"]) if os.environ.get("SAFEPOINTS") else []
    for r in sorted(rows, key=in_server, reverse=True)[:slowest]:
        print("a slow request: %.3f ms before and after its compute" % (in_server(r) / 1e6))
        for name, a, b in PHASES[:-2]:
            if span(r, a, b) is not None:
                print("    %-52s %8.3f" % (name, span(r, a, b) / 1e6))
        if r.get("w_gc") is not None:
            print("    %-52s %8.3f" % ("worker's garbage collector", r["w_gc"] / 1e6))
        # in the server from its arrival to its answer written (or, untraced, the last moment this request has)
        first = r.get("arrived") or r["batch"]
        last = r.get("flushed") or max(ns for k, ns in r.items() if k != "w_gc" and ns is not None)
        inside = [(end, total, name) for end, total, name in sp if first <= end <= last]
        for end, total, name in inside:
            print("    JVM safepoint %s: %.3f ms, ended %.3f ms after the request arrived"
                  % (name, total / 1e6, (end - first) / 1e6))
        if sp and not inside:
            print("    no JVM safepoint while it was in the server")
