#!/usr/bin/env bash
# issue 20 (fifteenth session): one jar (this session's code), one server after the other, each loaded by `genbench load`
# at 1 user: "adapt" its defaults (the batcher's spin and the event loop's poll after an answer as long as clients took
# to come back, 2-8 ms), "fixed" with -Dgenbench.serve.adaptSpin=false (2 ms, as 3f63e12), "soon" adapt with serve's
# loops polling from the worker's `soon` line (-Dgenbench.serve.pollFromSoon=true).
# `ORDER="fixed-1 adapt-1 soon adapt-2" LOAD_S=70 bash callC.sh`. .gpu3/pack.tar.xz: a jlink runtime (Temurin 25), the
# jars a run needs and this session's jar (genbench-0.1.0.jar).
set -u
T0=$(date +%s)
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; rm -rf $P; mkdir -p $P; tar xJf .gpu3/pack.tar.xz -C $P
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_PRICES=offline HOME=/tmp/home; mkdir -p $HOME
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u; python3 --version
(vmstat -n 1 > $OUT/vmstat.txt 2>&1 &)
run() { # NAME [EXTRA_JVM_FLAGS]
  echo "######## $1 ($(( $(date +%s) - T0 )) s)"
  rm -f /tmp/sp.log
  GENBENCH_JAR=$P/genbench-0.1.0.jar GENBENCH_HOME=$PWD SERVE_JAVA_OPTS="-XX:+UseZGC -XX:CompileThresholdScaling=0.05 ${2:-} -Xlog:safepoint:file=/tmp/sp.log:timenanos" FORMATS=url LOAD_S=${LOAD_S:-70} timeout 200 bench/gpu-serve-overhead $OUT/$1 10 100 2>&1 | grep -v '^\s*$' | grep -v "^  [a-z].*p50" | tail -25
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
for r in ${ORDER:-fixed-1 adapt-1 soon adapt-2}; do
  case $r in soon*) run $r -Dgenbench.serve.pollFromSoon=true ;; fixed*) run $r -Dgenbench.serve.adaptSpin=false ;; *) run $r ;; esac
done
pkill vmstat
awk 'NR>2 {print $13, $14, $15, $16, $17}' $OUT/vmstat.txt | sort | uniq -c | sort -rn | head -5
for d in $OUT/*/warmup-*; do gzip -f $d/serve.log; done
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
date -u; echo "took $(( $(date +%s) - T0 )) s"
