#!/bin/sh
# GPU smoke of the worker's new events: SD 2.1 768 with CUDA graphs off then on (a profiler session precedes the
# second case's graph capture), then OPT-1.3b. Usage: bench/gpu-worker-smoke/run.sh OUT_DIR
set -e
out=${1:-.}
here=$(dirname "$0")
PYTHONPATH="$here/../../worker/src" python3 -m genbench_worker --job "$here/job.json" > "$out/events.jsonl" 2> "$out/worker.log"
grep -E '"type":"(loaded|flops|warmed|profile|memory)"' "$out/events.jsonl" | cut -c1-400
