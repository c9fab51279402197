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

import math
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


LEVEL = 0.95


@dataclass(frozen=True)
class MedianInterval:
    """A distribution-free confidence interval of the median from order statistics (the binomial method):
    sorted samples from the j-th to the (n + 1 - j)-th smallest, j the largest rank with P(B < j) <= (1 - level) / 2
    for B ~ Binomial(n, 1/2). The same as the Java side's analyze/MedianInterval.java. median is nearest-rank."""

    median_ns: int
    low_ns: int
    high_ns: int
    n: int

    def half_width(self) -> float:
        """The interval's larger distance from the median, as a fraction of the median."""
        if self.median_ns <= 0:
            return math.inf
        return max(self.median_ns - self.low_ns, self.high_ns - self.median_ns) / self.median_ns

    def within(self, pct: float) -> bool:
        return self.half_width() <= pct / 100


def lower_rank(n: int, level: float = LEVEL) -> int:
    """The 1-based rank of the interval's lower end, or 0 with too few samples (95 %: n = 6 -> 1, 10 -> 2, 100 -> 40)."""
    tail = (1 - level) / 2
    log_half_n = -n * math.log(2)
    cdf = 0.0
    log_choose = 0.0
    j = 0
    for k in range(n):
        cdf += math.exp(log_choose + log_half_n)
        if cdf > tail * (1 + 1e-12):
            break
        j = k + 1
        log_choose += math.log((n - k) / (k + 1))
    return min(j, (n + 1) // 2)


def median_interval(e2e_ns: Sequence[int], level: float = LEVEL) -> Optional[MedianInterval]:
    """The `level` interval of the median of `e2e_ns`, or None with too few samples (fewer than 6 at 95 %)."""
    n = len(e2e_ns)
    j = lower_rank(n, level)
    if j < 1:
        return None
    s = sorted(e2e_ns)
    return MedianInterval(median_ns=s[(n + 1) // 2 - 1], low_ns=s[j - 1], high_ns=s[n - j], n=n)


def measure_done(e2e_ns: Sequence[int], elapsed_ns: int, *, min_iterations: int, max_iterations: int,
                 min_duration_s: float, max_measure_s: float, target_ci_pct: float) -> bool:
    """When measured iterations stop (PROTOCOL.md, "When measuring stops"; execute/MeasureStop.java the same): at
    least min_iterations, then on until min_duration_s has passed and the median's 95 % interval is within
    +- target_ci_pct %; stopped early only by max_iterations, or by max_measure_s once the minimum count ran."""
    n = len(e2e_ns)
    if n >= max_iterations:
        return True
    if n < min_iterations:
        return False
    if elapsed_ns >= max_measure_s * 1e9:
        return True
    if elapsed_ns < min_duration_s * 1e9:
        return False
    interval = median_interval(e2e_ns)
    return interval is not None and interval.within(target_ci_pct)
