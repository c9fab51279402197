#!/usr/bin/env bash
# issue 18 (callS: the probe, the worker's GPU tests, time to the first measured iteration with the library warm-up off
# and on), then issue 20 (callQ: serve new, before, new), on one machine start
T0=$(date +%s)
bash .gpu3/callS.sh
echo "######## issue 18 done after $(( $(date +%s) - T0 )) s"
bash .gpu3/callQ.sh
