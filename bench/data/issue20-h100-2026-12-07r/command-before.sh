#!/usr/bin/env bash
# issue 20: where the P99 of the serving overhead goes (74705ea: heap frozen, JIT 0.05, spins) one server, ~215 load requests
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; mkdir -p $P; [ -x $P/jre/bin/java ] || tar xJf .gpu3/pack.tar.xz -C $P
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
(vmstat -n 1 > $OUT/vmstat.txt 2>&1 &)
run() { # NAME JAR HOME OPTS
  echo "######## $1 ($(( $(date +%s) - T0 )) s)"
  rm -f /tmp/sp.log
  GENBENCH_JAR=$2 GENBENCH_HOME=$3 SERVE_JAVA_OPTS="$4 -Xlog:safepoint:file=/tmp/sp.log:timenanos" FORMATS=url LOAD_S=60 timeout 200 bench/gpu-serve-overhead $OUT/$1 10 100 2>&1 | grep -v '^\s*$' | grep -v "^  [a-z].*p50" | tail -25
  pkill -f 'genbench.*serve' ; sleep 1
  d=$OUT/$1/warmup-100; cp /tmp/sp.log $d/safepoint.log
  echo "== $1: all requests after the warm-ups (Python client's 40, then genbench load's), slowest 4"
  SLOWEST=4 SAFEPOINTS=$d/safepoint.log python3 bench/serve_trace.py $d/serve.log 103 | grep -v "host -> writer\|writer -> file\|read -> handed"
  echo "safepoints: $(grep -c Safepoint $d/safepoint.log), longest $(grep -o 'Total: [0-9]*' $d/safepoint.log | sort -k2 -n | tail -1)"
}
run so-before $P/genbench-before.jar $P/before-home "-XX:+UseZGC"

pkill vmstat
awk 'NR>2 {print $13, $14, $15, $16, $17}' $OUT/vmstat.txt | sort | uniq -c | sort -rn | head -5
for d in $OUT/so-*/warmup-*; do gzip -f $d/serve.log; done
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
date -u
