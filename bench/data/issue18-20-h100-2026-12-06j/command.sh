#!/usr/bin/env bash
# session 6 GPU call 2: issue 20 overhead after the mapped pixel read and the two-part warm-up; issue 18 genbench run
# first sample end to end after the earlier prestart (default bytecode cache: cold on the first run, warm on the next)
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
date -u
timeout 200 bench/gpu-serve-overhead $OUT/so 10 "200" > $OUT/so.log 2>&1; echo "serve-overhead exit $?"; grep -E "==|warm-up|ready:|response - compute |server e2e - compute|transfer|encode  |level c1|  [a-z=].*p50.*\(n " $OUT/so.log | cut -c1-200 | tail -50
MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1 RUNS=3 timeout 120 bench/gpu-time-to-answer $OUT/tta > $OUT/tta.log 2>&1; echo "tta exit $?"; grep -v WARNING $OUT/tta.log | grep -E "first measured|measured .* wall" | cut -c1-220
for r in $OUT/tta/after $OUT/tta/after-2 $OUT/tta/after-3; do echo "== $r"; grep -h "hello\|primed\|built .* by" $r/cases/*/worker.log $r/*.log 2>/dev/null | cut -c1-200 | head -3; done
tar czf $OUT/call14.tar.gz -C $OUT so so.log tta.log 2>/dev/null; rm -rf $OUT/so; find $OUT/tta -name "*.jsonl" -size +2M -delete; rm -rf $OUT/tta/*/charts
