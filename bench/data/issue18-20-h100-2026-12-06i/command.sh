#!/usr/bin/env bash
# session 6 GPU call 1: issue 20 serving overhead with/without the JIT warm-up (+ trace), issue 18 bytecode cache x
# direct build matrix, then genbench run's first sample end to end (one-case plan, twice)
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
date -u; nproc
# issue 18 first (the cache is cold on a fresh machine: the matrix's cold round must come before any other worker)
timeout 260 bench/gpu-first-event-2 $OUT/fe > $OUT/fe.log 2>&1; echo "first-event exit $?"; grep -v WARNING $OUT/fe.log | cut -c1-260 | tail -45
MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1 RUNS=2 timeout 100 bench/gpu-time-to-answer $OUT/tta > $OUT/tta.log 2>&1; echo "tta exit $?"; grep -v WARNING $OUT/tta.log | cut -c1-220 | tail -12
grep -h "hello\|bytecode\|built .* by\|primed" $OUT/tta/after*/cases/*/worker.log $OUT/tta/after*/*.log 2>/dev/null | cut -c1-250 | head -8
# issue 20
timeout 230 bench/gpu-serve-overhead $OUT/so 10 "200 0" > $OUT/so.log 2>&1; echo "serve-overhead exit $?"; grep -E "==|warmed|ready:|response - compute |server e2e - compute|transfer|level c1|  [a-z=].*p50.*\(n " $OUT/so.log | cut -c1-200 | tail -80
tar czf $OUT/call13.tar.gz -C $OUT fe fe.log tta.log so so.log 2>/dev/null; rm -rf $OUT/so $OUT/tta
