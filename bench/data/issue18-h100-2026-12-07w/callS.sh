#!/usr/bin/env bash
# issue 18: the probe of a fresh worker's start (callP), the worker's GPU tests, then `genbench run` to its first measured
# iteration with the library warm-up off and on, alternating (same jar, same worker; GENBENCH_WARM_LIBS)
set -u
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; rm -rf $P; mkdir -p $P; tar xJf .gpu3/pack.tar.xz -C $P
bash .gpu3/callP.sh
(cd worker && GENBENCH_REQUIRE_GPU=1 python3 -m unittest tests.test_gpu tests.test_startup 2>&1 | tail -3)
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_JAR=$P/genbench-0.1.0.jar HOME=/tmp/home; mkdir -p $HOME
export MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1
GENBENCH_WARM_LIBS=1 bench/gpu-time-to-answer $OUT/tta-prime > /dev/null 2>&1
for k in $(seq 1 ${PAIRS_18:-2}); do
  for w in 0 1; do
    GENBENCH_WARM_LIBS=$w bench/gpu-time-to-answer $OUT/tta-warm$w-$k 2>&1 | grep "first measured"
    grep -h "hello .* after start\|phases:\|first job" $OUT/tta-warm$w-$k/after/cases/*/worker.log 2>/dev/null | sed 's/^/    /' | cut -c1-260
  done
done
