#!/usr/bin/env bash
# issue 20: a batch's outcome completed on the thread that reads its result line (fd5fe31) against the batcher's thread taking it (b22b391: Java and worker as 0752daf)
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; rm -rf $P; mkdir -p $P; tar xJf .gpu3/pack.tar.xz -C $P
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
(vmstat -n 1 > $OUT/vmstat.txt 2>&1 &)
run() { # NAME OPTS [JAR HOME]
  echo "######## $1 ($(( $(date +%s) - T0 )) s)"
  rm -f /tmp/sp.log
  GENBENCH_JAR=${3:-$P/genbench-0.1.0.jar} GENBENCH_HOME=${4:-$PWD} SERVE_JAVA_OPTS="$2 -Xlog:safepoint:file=/tmp/sp.log:timenanos" FORMATS=url LOAD_S=${LOAD_S:-60} timeout 200 bench/gpu-serve-overhead $OUT/$1 10 100 2>&1 | grep -v '^\s*$' | grep -v "^  [a-z].*p50" | tail -25
  pkill -f 'genbench.*serve' ; sleep 1
  d=$OUT/$1/warmup-100; cp /tmp/sp.log $d/safepoint.log
  grep "poll" $d/serve.log | head -2
  python3 - $d/load-url/levels.csv <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print("  LOAD %s requests, overhead (response - compute) p50 %s ms p99 %s ms" % (r.get("requests"), r["server_overhead_p50_ms"], r["server_overhead_p99_ms"]))
PY
  echo "== $1: genbench load's requests (after the warm-ups and the Python client's 40)"
  python3 bench/serve_trace.py $d/serve.log 143 | grep -v "host -> writer\|writer -> file\|read -> handed"
}
J="-XX:+UseZGC -XX:CompileThresholdScaling=0.05"
run new-1 "$J"
run before-1 "$J" $P/genbench-before.jar
pkill vmstat
awk 'NR>2 {print $13, $14, $15, $16, $17}' $OUT/vmstat.txt | sort | uniq -c | sort -rn | head -5
for d in $OUT/*/warmup-*; do gzip -f $d/serve.log; done
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
date -u
