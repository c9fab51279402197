#!/usr/bin/env bash
# session 7 GPU call 3: issue 20's batcher at 16 users after the pixel copy moved onto the worker's main thread, against
# run's batch 8 in the same call (serve on ZGC as ./genbench serve would; every JVM of the call on ZGC)
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home JDK_JAVA_OPTIONS=-XX:+UseZGC; mkdir -p $HOME
date -u; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
BATCHES=8 LOAD_PROFILE='concurrency 16' timeout 200 bench/gpu-serve $OUT/gs 10 > $OUT/gs.log 2>&1; echo "gpu-serve exit $?"
grep -v "WARNING\|Picked up" $OUT/gs.log | grep -E "^run |images/s|ratio|steady|mean batch|response - compute |c16" | cut -c1-220 | tail -30
grep "ZGC, soft" $OUT/gs/serve.log
tar czf $OUT/call17.tar.gz -C $OUT gs.log gs/steady.txt gs/gap.txt gs/overhead.txt gs/overhead-url.txt gs/load-files.tar.gz gs/run/results.json 2>/dev/null; rm -rf $OUT/gs
