"""The batcher's steady-state images/s per load level, beside `genbench load`'s own figure, from load's output folder
(levels.csv and requests.csv) and optionally a `genbench run` results.json to compare with.

Why a second figure: load's images/s is measured images / window (docs/load.md). Until 2026-12-06 that window ran from
the first measured request's schedule, which in a closed loop against a batching server also held the batch of warm-up
requests still running then (about 7 % low for ~1.5 s batches in a 20 s level); it now starts at the last warm-up
answer when that is later. The server's own figure stays as a cross-check from the other side. The figure used here is the server's own:

  server span images/s = measured images / (first measured batch's start -> last measured batch's compute end)

each request's batch start being its send + the server's queue time (Server-Timing queue, requests.csv
server_queue_ms) and its end start + compute (server_compute_ms): whole batches only, the gaps between them included.
Also printed: compute-only images/s (images / the sum of distinct batches' compute: the backend busy all the time)
and the mean gap from one batch's compute end to the next one's start (the worker's pixel trip, the dispatch).

  python3 bench/serve_steady.py LOAD_DIR [RUN_RESULTS_JSON]
"""
import csv
import json
import sys


def batches(rows):
    """(start_ns, end_ns, images) per batch: requests whose estimated starts lie within 20 ms make one batch (batches
    of one shape are at least a compute apart; a request's estimate is off by its parse time, well under 1 ms)."""
    est = sorted((int(r["sent_ns"]) + float(r["server_queue_ms"]) * 1e6, float(r["server_compute_ms"]) * 1e6,
                  int(r["images"] or 0)) for r in rows)
    out = []
    for start, compute, images in est:
        if out and start - out[-1][0] < 20e6:
            b = out[-1]
            out[-1] = (b[0], max(b[1], start + compute), b[2] + images, b[3])
        else:
            out.append((start, start + compute, images, compute))
    return out


def levels(load_dir):
    by_level = {}
    with open(load_dir + "/requests.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["warmup"] == "true" or r["error"] or not r["server_queue_ms"] or not r["server_compute_ms"]:
                continue
            by_level.setdefault((r["target"], r["level"]), []).append(r)
    with open(load_dir + "/levels.csv", newline="") as f:
        for lv in csv.DictReader(f):
            yield lv, batches(by_level.get((lv["target"], lv["level"]), []))


def main(argv):
    load_dir = argv[1]
    run_best = None
    if len(argv) > 2:
        cases = json.load(open(argv[2]))["cases"]
        ok = [c for c in cases if c.get("images_per_s")]
        if ok:
            run_best = max(ok, key=lambda c: c["images_per_s"])
            print("run: best images/s %.3f (%s)" % (run_best["images_per_s"], run_best["case_id"]))
    print("%-14s %8s %12s %12s %12s %9s %12s %s" % ("level", "batches", "load img/s", "span img/s", "compute img/s",
                                                      "mean img", "gap ms", "ratio to run (span)"))
    for lv, bs in levels(load_dir):
        load_rate = float(lv["images_per_s"]) if lv["images_per_s"] not in ("", "NaN") else float("nan")
        if len(bs) < 2:
            print("%-14s %8d %12.3f %12s" % (lv["level"], len(bs), load_rate, "(too few batches with Server-Timing)"))
            continue
        images = sum(b[2] for b in bs)
        span_s = (bs[-1][1] - bs[0][0]) / 1e9
        busy_s = sum(b[3] for b in bs) / 1e9
        gaps = [(bs[i + 1][0] - bs[i][1]) / 1e6 for i in range(len(bs) - 1)]
        span_rate = images / span_s
        ratio = "%.3f" % (span_rate / run_best["images_per_s"]) if run_best else "-"
        print("%-14s %8d %12.3f %12.3f %12.3f %9.2f %12.2f %s" % (lv["level"], len(bs), load_rate, span_rate,
                                                              images / busy_s, images / len(bs),
                                                              sum(gaps) / len(gaps), ratio))
    print("span img/s = measured images / (first measured batch start -> last measured batch compute end), from the"
          " server's queue and compute per request; load img/s = load's own figure (window from the first measured"
          " schedule or the last warm-up answer, whichever is later, to the last measured answer)")


if __name__ == "__main__":
    main(sys.argv)
