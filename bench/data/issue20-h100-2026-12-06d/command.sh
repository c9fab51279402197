#!/usr/bin/env bash
# session 5 GPU call 1: issue 20's batcher after serve's channels_last follows run's auto rule, run b8 in the same call
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
BATCHES=8 DELAY_MS=50 LOAD_PROFILE='sweep concurrency 8,16' timeout 400 bench/gpu-serve $OUT/s9 10 > $OUT/s9.log 2>&1; echo "exit $?"; cut -c1-220 $OUT/s9.log | tail -45
cd $OUT/s9 && tar xzf load-files.tar.gz && python3 -c "
import csv
for r in csv.DictReader(open('load/levels.csv')): print(r['level'], r['images_per_s'], r['server_compute_p50_ms'], r['server_queue_p50_ms'])"; rm -rf load
tar czf $OUT/s9-all.tar.gz -C $OUT s9 && rm -rf $OUT/s9
