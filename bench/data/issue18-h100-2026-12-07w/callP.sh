#!/usr/bin/env bash
# issue 18: where a fresh worker's time goes before its first measured iteration (bench/prepare_probe.py), and the imports
set -u
export NCCL_NVLS_ENABLE=0
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc; date -u
python3 bench/prepare_probe.py --rounds 1 --out $OUT/probe.json 2>&1 | tail -20
cd worker/src
for k in 1 2; do python3 -X importtime -c 'import genbench_worker.backends, genbench_worker.scenarios.diffusion, genbench_worker.case' 2> $OUT/importtime-$k.txt; done
cd ../..
sort -t'|' -k2 -n -r $OUT/importtime-2.txt | head -30
python3 -X importtime -c 'import torch' 2>&1 | sort -t'|' -k2 -n -r | head -8
date -u
