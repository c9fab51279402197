"""The worker's idle time between batches, from a `genbench serve --backend torch` log written with
GENBENCH_SERVE_TRACE=1 (one `serve: trace batch ID images N idle_ms X compute_ms Y` line per image batch): from one
batch's compute end to the next one's start on the worker's clock, i.e. its own pixel trip plus the controller's
turnaround. Only gaps where the next batch was already waiting count as pipeline gaps; pass MAX_IDLE_MS (default 200)
to drop the idle spells with no request queued. Also prints the worker's back-to-back images/s over those batches:
images / (compute + the idle time before each), the steady-state rate with the gaps between batches counted.

  python3 bench/serve_gap.py SERVE_LOG [MAX_IDLE_MS]
"""
import math
import re
import sys

LINE = re.compile(r"serve: trace batch \S+ images (\d+) idle_ms ([0-9.]+) compute_ms ([0-9.]+)")
log, limit = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 200.0
rows = [(int(m.group(1)), float(m.group(2)), float(m.group(3))) for m in map(LINE.search, open(log, errors="replace")) if m]
gaps = sorted(r[1] for r in rows if r[1] <= limit)
if not gaps:
    sys.exit("no trace lines with idle <= %.0f ms in %s (was serve started with GENBENCH_SERVE_TRACE=1?)" % (limit, log))


def rank(p):
    return gaps[max(0, math.ceil(p * len(gaps)) - 1)]


back = [r for r in rows if r[1] <= limit]
rate = sum(r[0] for r in back) / (sum(r[1] + r[2] for r in back) / 1e3)
print("%s: %d batches back to back (idle <= %.0f ms of %d traced): idle p50 %.3f ms  p90 %.3f ms  mean %.3f ms;"
      " compute mean %.1f ms" % (log, len(gaps), limit, len(rows), rank(.5), rank(.9), sum(gaps) / len(gaps),
                                 sum(r[2] for r in rows) / len(rows)))
print("  back-to-back images/s (the worker's own clock: images / (compute + idle before it) over those batches): %.3f"
      % rate)
