"""When warm-up may stop: the steady-state rule of PROTOCOL.md (CASE `steady_tolerance`, `steady_window`).

Steady means the last `window` warm-up e2e times each lie within `tolerance` (a fraction) of their median, and
that median lies within `tolerance` of the fastest median of any window so far. The first clause rejects noise and
fast drift inside the window; the second rejects a window that is tight but slower than the device has already
shown it can be for a whole window (a cache that was warm and went cold, a clock that throttled). Comparing
medians, not single iterations, keeps one lucky fast iteration from holding warm-up to its maximum. The Java side
(execute/SteadyState.java) applies the same rule to the embedded backend. A drift slow enough to stay inside
the window's tolerance (less than about 2 × tolerance over the window) is not caught by either clause.

Pure and torch-free, so the rule is tested on plain sequences.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class SteadyState:
    """The rule's verdict over some warm-up times. spread: the last window's (max - min) / median, or None."""

    steady: bool
    spread: Optional[float]


def steady_state(e2e_ns: Sequence[int], window: int, tolerance: float) -> SteadyState:
    """Whether warm-up times `e2e_ns` (oldest first) have reached steady state."""
    if window < 1:
        raise ValueError("window must be >= 1, was %r" % (window,))
    if len(e2e_ns) < window:
        return SteadyState(steady=False, spread=None)
    last = list(e2e_ns[-window:])
    median = statistics.median(last)
    if median <= 0:
        return SteadyState(steady=False, spread=None)
    spread = (max(last) - min(last)) / median
    fastest = min(statistics.median(e2e_ns[i - window:i]) for i in range(window, len(e2e_ns) + 1))
    tight = all(abs(t - median) <= tolerance * median for t in last)
    near_fastest = median - fastest <= tolerance * fastest
    return SteadyState(steady=tight and near_fastest, spread=spread)
