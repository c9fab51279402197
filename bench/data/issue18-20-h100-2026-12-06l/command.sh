#!/usr/bin/env bash
# session 7 GPU call 2: issue 18 genbench run's first measured iteration with the plan's default warm-up minimum of 1;
# issue 20 the serving overhead on ZGC with serve's soft maximum heap (ServeHeap) against G1, in the same call
set -uo pipefail
mkdir -p /tmp/g && tar xJf .gpu3/pack.tar.xz -C /tmp/g
export GENBENCH_JAVA=/tmp/g/jre/bin/java GENBENCH_JAR=/tmp/g/genbench-0.1.0.jar NCCL_NVLS_ENABLE=0 PYTHONUNBUFFERED=1 GENBENCH_PRICES=offline
export HOME=/tmp/home; mkdir -p $HOME
date -u; nproc; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
MODELS=stabilityai/stable-diffusion-2-1 INSTANCE_TYPES=g5.xlarge BATCHES=1 RUNS=3 timeout 150 bench/gpu-time-to-answer $OUT/tta > $OUT/tta.log 2>&1; echo "tta exit $?"
grep -v WARNING $OUT/tta.log | grep -E "first measured|measured .* wall" | cut -c1-220; grep warmup_iterations $OUT/tta/plan.yaml
for r in $OUT/tta/after $OUT/tta/after-2 $OUT/tta/after-3; do echo "== $r"; grep -h '"type":"warmed"\|"type":"warmup"' $r/cases/*/events.jsonl | cut -c1-200; grep -h '"type":"sample"' $r/cases/*/events.jsonl | head -2 | cut -c1-120; grep -h "hello\|phases" $r/cases/*/worker.log $r/*.log 2>/dev/null | cut -c1-230 | head -3; done
for gc in zgc; do
  if [ $gc = zgc ]; then o=-XX:+UseZGC; else o=-XX:+UseG1GC; fi
  SERVE_JAVA_OPTS=$o LOAD_S=30 timeout 200 bench/gpu-serve-overhead $OUT/so-$gc 10 200 > $OUT/so-$gc.log 2>&1; echo "serve-overhead $gc exit $?"
  grep -E "==|ready:|genbench serve: ZGC|pixels|response - compute |server e2e - compute|level c1|  [a-z=].*p50.*\(n " $OUT/so-$gc.log | cut -c1-200 | tail -40
  grep -h "genbench serve: ZGC" $OUT/so-$gc/warmup-200/serve.log
  echo "GC: $(grep -c 'Pause\|Collection (.*s$' $OUT/so-$gc/warmup-200/gc.log) collections/pauses"; grep -E 'Pause|Collection \(.*s$' $OUT/so-$gc/warmup-200/gc.log | tail -3 | cut -c1-160
done
tar czf $OUT/call16.tar.gz -C $OUT so-zgc so-g1 so-zgc.log so-g1.log tta.log 2>/dev/null; rm -rf $OUT/so-zgc $OUT/so-g1; find $OUT/tta -name "*.jsonl" -size +2M -delete; rm -rf $OUT/tta/*/charts
