#!/usr/bin/env bash
# the last device time on the same warm machine: one more serve run of the new jar (45 s of load), then one more
# time-to-first-measured-iteration pair (warm-up on, off)
set -u
export NCCL_NVLS_ENABLE=0
P=/tmp/pk; [ -x $P/jre/bin/java ] || { rm -rf $P; mkdir -p $P; tar xJf .gpu3/pack.tar.xz -C $P; }
export GENBENCH_JAVA=$P/jre/bin/java GENBENCH_JAR=$P/genbench-0.1.0.jar HOME=/tmp/home GENBENCH_PRICES=offline; mkdir -p $HOME
export MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1
for w in 1 0; do
  GENBENCH_WARM_LIBS=$w timeout 40 bench/gpu-time-to-answer $OUT/tta-warm$w-2 2>&1 | grep "first measured"
  grep -h "hello .* after start\|phases:" $OUT/tta-warm$w-2/after/cases/*/worker.log 2>/dev/null | cut -c1-220
done
d=$OUT/new-2; J="-XX:+UseZGC -XX:CompileThresholdScaling=0.05"
GENBENCH_HOME=$PWD SERVE_JAVA_OPTS="$J" FORMATS=url LOAD_S=40 timeout 110 bench/gpu-serve-overhead $d 10 100 2>&1 | grep -a "LOAD\|= in the server\|computed sent\|images line sent\|handed to the server (url" 
python3 - $d/warmup-100/load-url/levels.csv <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print("  LOAD %s requests, overhead p50 %s ms p99 %s ms" % (r.get("requests"), r["server_overhead_p50_ms"], r["server_overhead_p99_ms"]))
PY
python3 bench/serve_trace.py $d/warmup-100/serve.log 143 | grep "= \|computed sent\|images line sent -> JVM\|(url: no"
gzip -f $d/warmup-100/serve.log
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
