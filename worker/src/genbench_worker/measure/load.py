"""What else used the machine while a case measured, from Linux's counters: /proc/stat (every CPU's busy, idle and
steal time), /proc/self/stat (this process's own CPU time, every thread) and /proc/loadavg. Other processes' share is
the machine's busy time minus this process's, as % of the whole machine. The Java side's execute/LoadMeter.java
measures the in-JVM backend the same way. Without /proc (not Linux) every figure is None.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Optional, Tuple

from ..protocol import Load

_Snapshot = Tuple[int, int, int, int, int]  # total, idle + iowait, steal, self (clock ticks), cpus


def _snapshot(proc: str) -> Optional[_Snapshot]:
    try:
        with open(os.path.join(proc, "stat")) as f:
            lines = f.read().splitlines()
        cpu = lines[0].split()
        if cpu[0] != "cpu" or len(cpu) < 9:
            return None
        values = [int(v) for v in cpu[1:9]]  # user .. steal; guest time is inside user already
        cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
        with open(os.path.join(proc, "self", "stat")) as f:
            own = f.read()
        fields = own[own.rindex(")") + 2:].split()
        self_ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15
        return sum(values), values[3] + values[4], values[7], self_ticks, cpus
    except (OSError, ValueError, IndexError):
        return None


def _load_average(proc: str) -> Optional[float]:
    try:
        with open(os.path.join(proc, "loadavg")) as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class LoadMeter:
    """A window over which the machine's load is measured: start() when measuring begins, stop() when it ends."""

    def __init__(self, proc: str = "/proc", now_ns: Callable[[], int] = time.perf_counter_ns):
        self.proc = proc
        self.now_ns = now_ns
        self.start_snapshot: Optional[_Snapshot] = None
        self.start_ns = 0

    def start(self) -> None:
        self.start_snapshot = _snapshot(self.proc)
        self.start_ns = self.now_ns()

    def stop(self, case_id: str) -> Load:
        end = _snapshot(self.proc)
        start = self.start_snapshot
        other = steal = own = None
        if start is not None and end is not None and end[0] > start[0]:
            total = end[0] - start[0]
            d_steal = end[2] - start[2]
            d_self = max(0, end[3] - start[3])
            busy = total - (end[1] - start[1]) - d_steal
            other = round(100 * max(0, busy - d_self) / total, 1)
            steal = round(100 * d_steal / total, 1)
            own = round(100 * min(d_self, total) / total, 1)
        return Load(case_id=case_id, window_ns=max(0, self.now_ns() - self.start_ns), load_avg_1m=_load_average(self.proc),
                    cpus=None if end is None else end[4], other_cpu_pct=other, steal_pct=steal, self_cpu_pct=own)
