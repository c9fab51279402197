"""How busy a step kept the GPU: one extra, unmeasured iteration under torch.profiler (the `profile` event).

In that iteration only, each step of the profiled phase (diffusion: each denoising step; LLM: each decode
step) runs inside a `record_function("genbench.step.<i>")` range and ends with `torch.cuda.synchronize()`,
so the GPU work a step launched is finished inside its range (a synchronize before the range drains what
earlier phases left running). Both figures are read from the profiler's own result, on its clock (kineto puts
CPU ranges and CUPTI's GPU activity on one timeline):

    step_wall_ns[i]   the CPU range of step i (synchronize included)
    step_kernel_ns[i] the union of the GPU activity intervals (kernels, memcpy, memset) inside that range
    busy_fraction     sum(step_kernel_ns) / sum(step_wall_ns)

The synchronize makes the profiled step a little longer than a measured one (the host cannot queue the next
step's launches while the GPU finishes this one), so this iteration is never a sample.

Kernels replayed from a CUDA graph are counted only if CUPTI reports them (recent CUDA does, one record per
kernel node). A step that called `cudaGraphLaunch` but shows no more GPU activity records than the eager
launches (kernel launches, async memcpy / memset) it made has its graph's kernels missing: the kernel times are
then not trusted, busy_fraction is None and stderr says why. The same holds when no GPU activity was recorded at
all. Any error here is logged and the case goes on without a `profile` event.
"""

from __future__ import annotations

import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from ..devices import is_cuda

METHOD = "torch.profiler"
# a diffusion scenario's profiled iteration runs only its first PROFILED_STEPS denoising steps and no decode: the
# steps have one shape, so five tell the busy fraction, and the whole request (and the profiler's processing of
# every kernel of it) was a sixth of an SD 2.1 batch-4 case's wall time on an H100
PROFILED_STEPS = 5
STEP_RANGE = "genbench.step."

Interval = Tuple[int, int]  # [start_ns, end_ns) on the profiler's clock


@dataclass(frozen=True)
class StepProfile:
    step_wall_ns: List[int]
    step_kernel_ns: List[int]
    busy_fraction: Optional[float]
    reason: Optional[str] = None  # why busy_fraction is None


def union_within(intervals: Iterable[Interval], lo: int, hi: int) -> int:
    """Length of the union of `intervals` clipped to [lo, hi)."""
    clipped = sorted((max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi)
    total, cur_s, cur_e = 0, None, None
    for s, e in clipped:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


@dataclass(frozen=True)
class Launches:
    """Launch calls a step's CPU range made: CUDA-graph launches, and eager launches (kernels, async copies)."""

    graphs: int = 0
    eager: int = 0


def step_profile(steps: Sequence[Interval], device_activity: Sequence[Interval],
                 launches: Optional[Sequence[Launches]] = None) -> StepProfile:
    """The profile of steps [start, end) given the GPU activity intervals, all on one clock. launches: what each
    step's CPU range launched (None: unknown, no check)."""
    walls = [int(e - s) for s, e in steps]
    kernels = [int(union_within(device_activity, s, e)) for s, e in steps]
    if not steps:
        return StepProfile(walls, kernels, None, "no step ranges were recorded")
    if not device_activity:
        return StepProfile(walls, kernels, None,
                           "the profiler recorded no GPU activity at all (CUPTI not available, or GPU tracing "
                           "disabled by an earlier profiler session in this process)")
    if launches is not None:
        records = [sum(1 for a, b in device_activity if a >= s and b <= e) for s, e in steps]
        blind = [i for i, (n, l) in enumerate(zip(records, launches)) if l.graphs > 0 and n <= l.eager]
        if blind:
            return StepProfile(walls, kernels, None,
                               "step(s) %s replayed a CUDA graph but recorded no more GPU activity than their eager "
                               "launches: this CUPTI does not report the graph's kernels"
                               % ", ".join(map(str, blind[:5])))
    wall = sum(walls)
    return StepProfile(walls, kernels, (sum(kernels) / wall) if wall > 0 else None,
                       None if wall > 0 else "the steps took no time")


# ---------------------------------------------------------------------------------------------- the profiled run

class _StepTimer:
    """Stands in for timing.IterationTimer in the profiled iteration: the profiled phase gets a named range and a
    synchronize; every other phase runs as is. finish() returns zeros (the iteration is not a sample)."""

    def __init__(self, torch, device, phase_name: str):
        self._torch = torch
        self._device = device
        self._phase = phase_name
        self.host_ns: List[int] = []
        self._seen: dict = {}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._seen[name] = self._seen.get(name, 0) + 1
        if name != self._phase:
            yield
            return
        torch = self._torch
        torch.cuda.synchronize(self._device)  # what earlier phases queued must not count as this step's
        with torch.profiler.record_function(STEP_RANGE + str(len(self.host_ns))):
            begin = time.perf_counter_ns()
            yield
            torch.cuda.synchronize(self._device)
            self.host_ns.append(time.perf_counter_ns() - begin)

    def finish(self):
        times = {"e2e": [0]}
        for name, n in self._seen.items():
            times[name] = [0] * n
        return times


class _StepClock:
    def __init__(self, timer: _StepTimer):
        self._timer = timer

    def iteration(self) -> _StepTimer:
        return self._timer


def _is_cuda(device_type) -> bool:
    return str(device_type).split(".")[-1].upper() == "CUDA"


def _ns(event, what: str) -> int:
    getter = getattr(event, what + "_ns", None)
    if getter is not None:
        return int(getter())
    return int(round(getattr(event, what + "_us")() * 1000))


GRAPH_LAUNCHES = ("cudaGraphLaunch", "cuGraphLaunch")
EAGER_LAUNCHES = ("cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx",
                  "cudaLaunchCooperativeKernel", "cudaMemcpyAsync", "cudaMemsetAsync", "cudaMemcpy", "cudaMemset",
                  "cuMemcpyAsync", "cuMemsetD8Async", "cuMemsetD32Async")


def read_profile(prof) -> Tuple[List[Interval], List[Interval], List[Launches]]:
    """(step ranges, GPU activity intervals, launches per step) from a finished torch.profiler.profile, times in
    ns on the profiler's clock."""
    results = prof.profiler.kineto_results
    steps = {}
    activity: List[Interval] = []
    calls: List[Tuple[int, bool]] = []  # (start, is a graph launch)
    for e in results.events():
        name = e.name()
        start = _ns(e, "start")
        end = start + _ns(e, "duration")
        is_annotation = getattr(e, "is_user_annotation", None)
        if _is_cuda(e.device_type()):
            if name.startswith(STEP_RANGE) or (callable(is_annotation) and is_annotation()):
                continue  # the GPU-side shadow of a record_function range, not work
            if "Sync" in name or name.startswith("Stream Wait"):
                continue  # kineto's synchronisation records: waiting, not work
            activity.append((start, end))
        elif name.startswith(STEP_RANGE):
            steps[int(name[len(STEP_RANGE):])] = (start, end)
        elif name in GRAPH_LAUNCHES or name in EAGER_LAUNCHES:
            calls.append((start, name in GRAPH_LAUNCHES))
    ordered = [steps[i] for i in sorted(steps)]
    per_step = [Launches(graphs=sum(1 for s, g in calls if g and lo <= s < hi),
                         eager=sum(1 for s, g in calls if not g and lo <= s < hi)) for lo, hi in ordered]
    return ordered, activity, per_step


def profile_iteration(scenario, device, phase_name: str) -> Optional[StepProfile]:
    """Run one extra iteration of `scenario` under torch.profiler and profile its `phase_name` steps; None (and the
    reason on stderr) when profiling is impossible or fails. Never raises for a profiler problem."""
    import torch  # noqa: PLC0415

    if not is_cuda(device) or not phase_name:
        return None
    try:
        from torch.profiler import ProfilerActivity, profile  # noqa: PLC0415
    except ImportError as e:
        print("profile: torch.profiler unavailable (%s); no profile event" % e, file=sys.stderr)
        return None
    timer = _StepTimer(torch, device, phase_name)
    saved = scenario.clock
    scenario.clock = _StepClock(timer)
    limited = hasattr(scenario, "profile_step_limit")
    if limited:
        scenario.profile_step_limit = PROFILED_STEPS
    try:
        torch.cuda.synchronize(device)
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], **profiler_options()) as prof:
            scenario.iterate()
        steps, activity, launches = read_profile(prof)
        result = step_profile(steps, activity, launches)
        _check_against_host_clock(result, timer.host_ns)
        if result.busy_fraction is None:
            print("profile: busy_fraction not reported: %s" % result.reason, file=sys.stderr)
        return result
    except Exception as exc:  # the profile is a by-product: it must never fail a case
        print("profile: failed, no profile event: %s" % exc, file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        exc.__traceback__ = None
        return None
    finally:
        scenario.clock = saved
        if limited:
            scenario.profile_step_limit = None


def profiler_options() -> dict:
    """Extra torch.profiler.profile arguments that lower its host overhead where this torch has them: without
    external correlation (linking each kernel to the op that launched it, which the busy fraction does not need),
    an eager SD 2.1 768 step on an H200 profiled at 32 ms instead of 35 ms. The overhead that remains still
    lengthens host-bound steps (that step measured 20.7 ms unprofiled)."""
    try:
        from torch._C._profiler import _ExperimentalConfig  # noqa: PLC0415

        return {"experimental_config": _ExperimentalConfig(disable_external_correlation=True)}
    except (ImportError, TypeError, AttributeError):
        return {}


def _check_against_host_clock(result: StepProfile, host_ns: Sequence[int]) -> None:
    """The profiler's step ranges should match perf_counter around the same code; say so on stderr if not."""
    profiled, host = sum(result.step_wall_ns), sum(host_ns)
    if len(host_ns) != len(result.step_wall_ns):
        print("profile: %d step ranges in the profiler result, %d steps ran"
              % (len(result.step_wall_ns), len(host_ns)), file=sys.stderr)
    elif host > 0 and abs(profiled - host) > 0.05 * host:
        print("profile: step ranges sum to %d ns on the profiler clock but %d ns on perf_counter" % (profiled, host),
              file=sys.stderr)
