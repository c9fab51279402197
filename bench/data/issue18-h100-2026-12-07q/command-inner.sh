#!/usr/bin/env bash
# issue 18: time to the first measured iteration, 67d1dd2 vs this code, with the new hand-over lines in worker.log
set -u
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; mkdir -p $P; [ -x $P/jre/bin/java ] || tar xJf .gpu3/pack.tar.xz -C $P
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
GENBENCH_JAR=$P/genbench-0.1.0.jar BEFORE_JAR=$P/genbench-before.jar BEFORE_HOME=$P/before-home PAIRS=${PAIRS:-2} \
  MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1 timeout 400 bench/gpu-time-to-answer $OUT/tta 2>&1 | grep -v '^\s*$'
for r in $OUT/tta/*/; do
  [ -d "$r/cases" ] || continue
  echo "== $(basename $r)"; for c in $r/cases/*/; do head -12 $c/worker.log | cut -c1-400; grep -h 'phases' $c/worker.log; done
  for c in $r/cases/*/; do mkdir -p $OUT/keep/$(basename $r); cp $c/worker.log $c/events.jsonl $OUT/keep/$(basename $r)/ 2>/dev/null; done
  rm -rf $r
done
date -u
