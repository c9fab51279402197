#!/usr/bin/env bash
# session 8 GPU call 1: issue 18 genbench run's first measured iteration, workers started before the plan is read,
# against 12a4d91 in alternating pairs; issue 20 url answers leaving once the pixels landed and the pixels' conversion
# and DMA queued behind the decode, against 12a4d91 (its jar and worker), same call
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
date -u; nproc; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
(cd worker && timeout 60 python3 -m unittest tests.test_pixel_files 2>&1 | tail -3)
BEFORE_JAR=/tmp/g/genbench-before.jar BEFORE_HOME=/tmp/g/before-home PAIRS=2 MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1 \
  timeout 150 bench/gpu-time-to-answer $OUT/tta > $OUT/tta.log 2>&1; echo "tta exit $?"
grep -E "first measured" $OUT/tta.log | cut -c1-200
for r in $OUT/tta/prime $OUT/tta/before-* $OUT/tta/after-*; do echo "== $r"; head -2 $r/cases/*/worker.log | cut -c1-200; done
SERVE_JAVA_OPTS=-XX:+UseZGC LOAD_S=20 timeout 200 bench/gpu-serve-overhead $OUT/so-new 10 200 > $OUT/so-new.log 2>&1; echo "serve-overhead new exit $?"
grep -E "==|ready:|response - compute |  [a-z=].*p50.*\(n " $OUT/so-new.log | cut -c1-200 | tail -45
GENBENCH_JAR=/tmp/g/genbench-before.jar GENBENCH_HOME=/tmp/g/before-home FORMATS=url SERVE_JAVA_OPTS=-XX:+UseZGC LOAD_S=20 timeout 130 bench/gpu-serve-overhead $OUT/so-before 10 200 > $OUT/so-before.log 2>&1; echo "serve-overhead before exit $?"
grep -E "==|ready:|response - compute |  [a-z=].*p50.*\(n " $OUT/so-before.log | cut -c1-200 | tail -30
find $OUT/tta -name "*.jsonl" -size +2M -delete; rm -rf $OUT/tta/*/charts
tar czf $OUT/serve.tar.gz -C $OUT so-new so-before so-new.log so-before.log 2>/dev/null; rm -rf $OUT/so-new $OUT/so-before
