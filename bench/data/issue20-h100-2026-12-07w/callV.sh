#!/usr/bin/env bash
# callT slimmed to the device time left: issue 18 with one off/on pair, issue 20 with 45 s of load per server
PAIRS_18=1 LOAD_S=45 bash .gpu3/callT.sh
