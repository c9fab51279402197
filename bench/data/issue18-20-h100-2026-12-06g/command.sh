#!/usr/bin/env bash
# session 5 GPU call 3: serve's batcher at 8 users after the load client's lean body reading (issue 20), and what the
# first meta construction of a tiny model spends 5.3 s on (issue 18)
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
SKIP_RUN=1 DELAY_MS=50 LOAD_PROFILE='sweep concurrency 8' timeout 200 bench/gpu-serve $OUT/s12 10 > $OUT/s12.log 2>&1; echo "serve exit $?"; grep -v WARNING $OUT/s12.log | cut -c1-220 | tail -22
rm -rf $OUT/s12/load/charts
timeout 100 bash .gpu3/call11.sh > $OUT/meta.log 2>&1; cut -c1-300 $OUT/meta.log | head -80
tar czf $OUT/call12.tar.gz -C $OUT s12 s12.log meta.log && rm -rf $OUT/s12
