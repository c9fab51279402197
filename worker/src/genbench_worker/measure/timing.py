"""Phase timers for one iteration, in integer nanoseconds.

On CUDA every phase boundary is a `torch.cuda.Event(enable_timing=True)` recorded on the current
stream; nothing synchronises until `IterationTimer.finish()`, which waits once for the last event and
then resolves every pair. Synchronising between denoising steps would drain the launch queue and
inflate the very step times we measure. e2e spans the first to the last event of the iteration.

On CPU the clock is `time.perf_counter_ns()`.

    timer = clock.iteration()
    timer.start()
    with timer.phase("text_encode"): ...
    for _ in steps:
        with timer.phase("step"): ...
    with timer.phase("decode"): ...
    times = timer.finish()       # {"e2e": [ns], "text_encode": [ns], "step": [ns, ...], "decode": [ns]}
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Tuple

from ..devices import is_cuda


class Clock:
    """Makes marks (opaque) and turns pairs of marks into nanoseconds."""

    def mark(self) -> Any:
        raise NotImplementedError

    def settle(self, last_mark: Any) -> None:
        """Block until every mark is resolvable (CUDA: the last event completed)."""

    def between(self, start: Any, end: Any) -> int:
        raise NotImplementedError

    def iteration(self) -> "IterationTimer":
        return IterationTimer(self)


class HostClock(Clock):
    """Wall clock of the host (`perf_counter_ns`, or any injected ns source for tests)."""

    def __init__(self, now_ns: Callable[[], int] = time.perf_counter_ns):
        self._now_ns = now_ns

    def mark(self) -> int:
        return self._now_ns()

    def between(self, start: int, end: int) -> int:
        return int(end - start)


class CudaClock(Clock):
    """CUDA events on the current stream; resolved after one synchronisation per iteration."""

    def __init__(self, torch_module=None):
        if torch_module is None:
            import torch as torch_module  # noqa: PLC0415
        self._torch = torch_module

    def mark(self):
        event = self._torch.cuda.Event(enable_timing=True)
        event.record()
        return event

    def settle(self, last_mark) -> None:
        last_mark.synchronize()

    def between(self, start, end) -> int:
        return int(round(start.elapsed_time(end) * 1_000_000))  # elapsed_time is in ms


def clock_for(device) -> Clock:
    """The clock that measures work on `device` (a torch.device or a string)."""
    return CudaClock() if is_cuda(device) else HostClock()


class IterationTimer:
    """Records named phases of one iteration; `finish()` resolves them after one wait."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self._start = None
        self._end = None
        self._phases: List[Tuple[str, Any, Any]] = []

    def start(self) -> None:
        self._start = self._clock.mark()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        begin = self._clock.mark()
        yield
        self._phases.append((name, begin, self._clock.mark()))

    def stop(self) -> None:
        self._end = self._clock.mark()

    def finish(self) -> Dict[str, List[int]]:
        if self._start is None:
            raise RuntimeError("IterationTimer.finish() before start()")
        if self._end is None:
            self.stop()
        self._clock.settle(self._end)
        times: Dict[str, List[int]] = {"e2e": [self._clock.between(self._start, self._end)]}
        for name, begin, end in self._phases:
            times.setdefault(name, []).append(self._clock.between(begin, end))
        return times


def total(times: Dict[str, List[int]], name: str) -> int:
    """Sum of a phase's durations (0 when the phase did not occur)."""
    return int(sum(times.get(name, ())))
