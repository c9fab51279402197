#!/usr/bin/env bash
# issue 20: serve's event loops polling for due answers and requests, on (default on >= 8 cores) against off
# (-Dgenbench.serve.poll=false), same jar and worker, one server after the other: on, off, on, off
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; mkdir -p $P; [ -x $P/jre/bin/java ] || tar xJf .gpu3/pack.tar.xz -C $P
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
(vmstat -n 1 > $OUT/vmstat.txt 2>&1 &)
run() { # NAME OPTS
  echo "######## $1 ($(( $(date +%s) - T0 )) s)"
  rm -f /tmp/sp.log
  GENBENCH_JAR=$P/genbench-0.1.0.jar GENBENCH_HOME=$PWD SERVE_JAVA_OPTS="$2 -Xlog:safepoint:file=/tmp/sp.log:timenanos" FORMATS=url LOAD_S=60 timeout 200 bench/gpu-serve-overhead $OUT/$1 10 100 2>&1 | grep -v '^\s*$' | grep -v "^  [a-z].*p50" | tail -25
  pkill -f 'genbench.*serve' ; sleep 1
  d=$OUT/$1/warmup-100; cp /tmp/sp.log $d/safepoint.log
  grep "poll" $d/serve.log | head -2
  echo "== $1: genbench load's requests (after the warm-ups and the Python client's 40)"
  python3 bench/serve_trace.py $d/serve.log 143 | grep -v "host -> writer\|writer -> file\|read -> handed"
}
J="-XX:+UseZGC -XX:CompileThresholdScaling=0.05"
run poll-on-1 "$J"
run poll-off-1 "$J -Dgenbench.serve.poll=false"
run poll-on-2 "$J"
run poll-off-2 "$J -Dgenbench.serve.poll=false"
pkill vmstat
awk 'NR>2 {print $13, $14, $15, $16, $17}' $OUT/vmstat.txt | sort | uniq -c | sort -rn | head -5
for d in $OUT/poll-*/warmup-*; do gzip -f $d/serve.log; done
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
date -u
