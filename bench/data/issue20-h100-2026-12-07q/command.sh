#!/usr/bin/env bash
# issue 20: serving overhead of 3eec07f (ZGC + CompileThresholdScaling 0.05 + spins on >= 8 cores) vs 67d1dd2, alternating, same machine
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; mkdir -p $P; [ -x $P/jre/bin/java ] || tar xJf .gpu3/pack.tar.xz -C $P
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
run() { # NAME JAR HOME OPTS
  echo "######## $1 ($(( $(date +%s) - T0 )) s)"
  GENBENCH_JAR=$2 GENBENCH_HOME=$3 SERVE_JAVA_OPTS="$4" FORMATS=url LOAD_S=20 timeout 110 bench/gpu-serve-overhead $OUT/$1 10 100 2>&1 | grep -v '^\s*$' | tail -45
  pkill -f 'genbench.*serve' ; sleep 1
}
run so-new-1 $P/genbench-0.1.0.jar $PWD "-XX:+UseZGC -XX:CompileThresholdScaling=0.05"
run so-before-1 $P/genbench-before.jar $P/before-home "-XX:+UseZGC"
run so-new-2 $P/genbench-0.1.0.jar $PWD "-XX:+UseZGC -XX:CompileThresholdScaling=0.05"
run so-before-2 $P/genbench-before.jar $P/before-home "-XX:+UseZGC"
for d in $OUT/so-*/warmup-*; do gzip -f $d/serve.log; rm -f $d/gc.log; done
date -u
