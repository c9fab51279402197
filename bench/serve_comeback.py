"""How soon a one-at-a-time client came back after its answer, from a serve log written with GENBENCH_SERVE_TRACE=1:
for each of the last N requests that arrived, the time from the latest answer flushed before it (`serve-trace flushed`)
to its arrival (`serve-trace arrived`), both System.nanoTime. Gaps over 1 s (pauses between clients) are left out.
Prints P10 / P50 / P90 / P95 / P99 / max and how many came after more than 2 ms (serve's fixed wait before issue 20's
ComeBack) and after more than 8 ms (its cap).

  python3 bench/serve_comeback.py SERVE_LOG[.gz] [N=430]
"""
import bisect
import gzip
import re
import sys

path = sys.argv[1]
n_last = int(sys.argv[2]) if len(sys.argv) > 2 else 430
flushed, arrived = [], []
with (gzip.open(path, "rt", errors="replace") if path.endswith(".gz") else open(path, errors="replace")) as f:
    for line in f:
        m = re.search(r"serve-trace (flushed|arrived) \S+ (\d+)", line)
        if m:
            (flushed if m.group(1) == "flushed" else arrived).append(int(m.group(2)))
flushed.sort()
arrived.sort()
gaps = []
for a in arrived[-n_last:]:
    k = bisect.bisect_left(flushed, a)
    if k and a - flushed[k - 1] < 1_000_000_000:
        gaps.append((a - flushed[k - 1]) / 1e6)
if not gaps:
    sys.exit("no traced arrivals after an answer in %s" % path)
gaps.sort()
n = len(gaps)
q = lambda p: gaps[min(n - 1, int(n * p))]
print("%s: %d come-backs, ms: P10 %.3f P50 %.3f P90 %.3f P95 %.3f P99 %.3f max %.3f; after > 2 ms: %d (%.1f %%), > 8 ms: %d"
      % (path, n, q(0.10), q(0.50), q(0.90), q(0.95), q(0.99), gaps[-1], sum(g > 2 for g in gaps),
         100.0 * sum(g > 2 for g in gaps) / n, sum(g > 8 for g in gaps)))
