#!/usr/bin/env bash
# issue 18 (fifteenth session): `genbench run` of the comparison plan's first case (SD 2.1 768², batch 1, float16) to its
# first measured iteration, 3f63e12's jar ("after": picocli builds only the subcommand it runs; --backend auto's Python
# reused) against 5a766f9's ("before", with its own worker), one untimed run first, then PAIRS pairs alternating; then
# the worker's GPU tests. `PAIRS=3 bash callD.sh` (carry .gpu3: pack.tar.xz, before-jar.tar.xz with 5a766f9's jar,
# before-worker.tgz: `git archive 5a766f9 worker`).
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; rm -rf $P; mkdir -p $P; tar xJf .gpu3/pack.tar.xz -C $P; tar xJf .gpu3/before-jar.tar.xz -C $P
B=/tmp/before-home; rm -rf $B; mkdir -p $B; tar xzf .gpu3/before-worker.tgz -C $B
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_JAR=$P/genbench-0.1.0.jar BEFORE_JAR=$P/genbench-before.jar BEFORE_HOME=$B HOME=/tmp/home; mkdir -p $HOME
MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1 PAIRS=${PAIRS:-3} timeout 400 bench/gpu-time-to-answer $OUT/tta 2>&1 | grep -v '^\s*$' | tail -30
for f in $OUT/tta/*/cases/*/worker.log; do echo "$f: $(grep -h "hello .* after start" $f | cut -c1-200)"; done 2>/dev/null | sed "s|$OUT/||" | head -12
echo "== worker GPU tests ($(( $(date +%s) - T0 )) s)"
(cd worker && GENBENCH_REQUIRE_GPU=1 timeout 150 python3 -m unittest tests.test_gpu 2>&1 | tail -4)
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
date -u; echo "took $(( $(date +%s) - T0 )) s"
