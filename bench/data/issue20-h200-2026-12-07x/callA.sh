#!/usr/bin/env bash
# issue 20: the code of the call ("new": call A at dbcb6ba, call B at 48e53b6) against 5a766f9 (jar and worker), one
# server after the other. Call A: `bash callA.sh` (new-1 before-1, LOAD_S 120); call B: `ORDER="new-2 before-2 new-3"
# LOAD_S=100 bash callA.sh`. .gpu3/pack.tar.xz: a jlink runtime (Temurin 25), the jars a run needs, the call's jar and
# 5a766f9's; .gpu3/before-worker.tgz: `git archive 5a766f9 worker`.
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; rm -rf $P; mkdir -p $P; tar xJf .gpu3/pack.tar.xz -C $P
B=/tmp/before-home; rm -rf $B; mkdir -p $B; tar xzf .gpu3/before-worker.tgz -C $B
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u; python3 --version
(vmstat -n 1 > $OUT/vmstat.txt 2>&1 &)
run() { # NAME [JAR HOME]
  echo "######## $1 ($(( $(date +%s) - T0 )) s)"
  rm -f /tmp/sp.log
  GENBENCH_JAR=${2:-$P/genbench-0.1.0.jar} GENBENCH_HOME=${3:-$PWD} SERVE_JAVA_OPTS="-XX:+UseZGC -XX:CompileThresholdScaling=0.05 -Xlog:safepoint:file=/tmp/sp.log:timenanos" FORMATS=url LOAD_S=${LOAD_S:-120} timeout 260 bench/gpu-serve-overhead $OUT/$1 10 100 2>&1 | grep -v '^\s*$' | grep -v "^  [a-z].*p50" | tail -25
  pkill -f 'genbench.*serve' ; sleep 1
  d=$OUT/$1/warmup-100; cp /tmp/sp.log $d/safepoint.log
  python3 - $d/load-url/levels.csv <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print("  LOAD %s requests, overhead (response - compute) p50 %s ms p99 %s ms" % (r.get("requests"), r["server_overhead_p50_ms"], r["server_overhead_p99_ms"]))
PY
  echo "== $1: genbench load's requests (after the warm-ups and the Python client's 40)"
  python3 bench/serve_trace.py $d/serve.log 143 | grep -v "host -> writer\|writer -> file\|read -> handed\|file read"
}
for r in ${ORDER:-new-1 before-1}; do
  case $r in new*) run $r ;; before*) run $r $P/genbench-before.jar $B ;; esac
done
pkill vmstat
awk 'NR>2 {print $13, $14, $15, $16, $17}' $OUT/vmstat.txt | sort | uniq -c | sort -rn | head -5
for d in $OUT/*/warmup-*; do gzip -f $d/serve.log; done
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
date -u; echo "took $(( $(date +%s) - T0 )) s"
