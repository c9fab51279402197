#!/usr/bin/env bash
# issue 18: time to the first measured iteration, 67d1dd2 vs 74705ea, with worker.log's hand-over lines
set -u
PAIRS=2 timeout 480 bash .gpu3/callB.sh | grep -v '^[0-9]*$'
cd $OUT && tar czf all.tgz --remove-files $(ls | grep -v all.tgz)
