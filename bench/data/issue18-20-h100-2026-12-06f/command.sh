#!/usr/bin/env bash
# session 5 GPU call 2: issue 20 (pipelined batches, url answers, pixel trip on the device) and issue 18 (a fresh worker's first events)
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
BATCHES=8 DELAY_MS=50 LOAD_PROFILE='sweep concurrency 8,16' timeout 330 bench/gpu-serve $OUT/s10 10 > $OUT/s10.log 2>&1; echo "serve exit $?"; cut -c1-220 $OUT/s10.log | tail -60
rm -rf $OUT/s10/run/charts $OUT/s10/load/charts
ROUNDS=2 timeout 220 bench/gpu-first-event $OUT/f10 > $OUT/f10.log 2>&1; echo "first exit $?"; cut -c1-220 $OUT/f10.log | tail -50
tar czf $OUT/call10.tar.gz -C $OUT s10 f10 s10.log f10.log && rm -rf $OUT/s10 $OUT/f10
