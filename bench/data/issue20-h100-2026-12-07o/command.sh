#!/usr/bin/env bash
# session 8 GPU call 2: the pixel files' CUDA test; issue 20 url overhead with enough requests for a P99 (LOAD_S=30),
# this code (12a4d91 measured in call18)
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
date -u; nproc; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
(cd worker && timeout 60 python3 -m unittest -v tests.test_pixel_files 2>&1 | tail -25)
FORMATS=url SERVE_JAVA_OPTS=-XX:+UseZGC LOAD_S=30 timeout 150 bench/gpu-serve-overhead $OUT/so-new 10 200 > $OUT/so-new.log 2>&1; echo "serve-overhead new exit $?"
grep -E "==|level|response - compute |= (before|after)" $OUT/so-new.log | cut -c1-220
for d in so-new; do rm -rf $OUT/$d/*/load-*/report.html; done
tar czf $OUT/serve2.tar.gz -C $OUT so-new so-new.log 2>/dev/null; rm -rf $OUT/so-new $OUT/so-before
