"""Scenarios: what one case does with a loaded model, and the per-case event sequence.

`run_case` emits, for one case:
    loaded, warmup × (until steady), warmed, sample × n, load, [profile,] [flops,] memory, (telemetry …), done
or, when anything fails:
    [loaded, warmup …, warmed, sample …,] failed, done
and never raises for a case failure (only `Terminated` propagates, after failed + done).

A scenario is a class with `prepare()` (setup outside any measurement: CUDA-graph capture, compile)
and `iterate() -> IterationResult`; `measure()` drives warm-up (`warm_up`: at least
`warmup_iterations`, then on until steady.py's rule holds, bounded by `max_warmup_iterations` and
`max_warmup_s`) and measured iterations: at least `min_iterations`, then on until `min_duration_s`
has passed and the 95 % interval of the median e2e is within +- `target_ci_pct` %, never more than
`max_iterations` and, once the minimum ran, never past `max_measure_s`.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, List, NamedTuple, Optional

import torch

from .. import failures
from ..models import attention as attention_module
from ..models.family import Family
from ..case import Case
from ..devices import device_type
from ..protocol import Done, EventStream, Failed, FailureKind, Flops, Loaded, Memory, Profile, Sample, Warmed, Warmup
from ..measure import flops, memory, profiling, telemetry
from ..measure.load import LoadMeter
from ..measure.steady import measure_done, steady_state


@dataclass
class IterationResult:
    """One iteration's measurements (ns) and output counts."""

    e2e_ns: int
    text_encode_ns: int = 0
    step_ns: List[int] = field(default_factory=list)
    decode_ns: int = 0
    images: int = 0
    ttft_ns: Optional[int] = None
    prefill_ns: Optional[int] = None
    decode_token_ns: Optional[List[int]] = None
    tokens: Optional[int] = None

    def sample(self, case_id: str, iteration: int) -> Sample:
        """The sample event of measured iteration `iteration` (0-based), which is also its seq: one worker runs one
        trial of a case, so the count is per case and trial."""
        return Sample(case_id=case_id, iteration=iteration, e2e_ns=self.e2e_ns, text_encode_ns=self.text_encode_ns,
                      step_ns=list(self.step_ns), decode_ns=self.decode_ns, images=self.images,
                      ttft_ns=self.ttft_ns, prefill_ns=self.prefill_ns, decode_token_ns=self.decode_token_ns,
                      tokens=self.tokens, seq=iteration)


class WarmedUp(NamedTuple):
    """What `warm_up` ends with: its `warmed` event, and the iteration that completed the steady window (the first
    measured one: its `sample` is not emitted yet), or None when warm-up stopped without one (a cap, or no warm-up)."""

    warmed: Warmed
    first: Optional[IterationResult]


def warm_up(case: Case, events: EventStream, iterate: Callable[[], IterationResult],
            now_ns: Callable[[], int] = time.perf_counter_ns) -> WarmedUp:
    """Run warm-up iterations until timing is steady (steady.py), emitting `warmup` for each and `warmed` at the
    end.

    At least `warmup_iterations` iterations are warm-ups whatever the clock says. Each iteration after them is
    judged with the ones before it: when the window it completes (the last `steady_window` times, itself the newest)
    is steady, it is steady-state timing by the same rule that ends warm-up, so it is the first measured iteration
    (returned as `first`, not emitted as a warm-up; `warmed` counts the warm-ups only) and warm-up ends, one
    iteration sooner than a rule that waits for the window to be steady before measuring the next one. An iteration
    that does not complete a steady window is a warm-up. Warm-up stops without a first iteration at
    `max_warmup_iterations` warm-ups, or once `max_warmup_s` has passed since it began (no warm-up when
    `max_warmup_iterations` is 0); measuring then begins with a fresh iteration."""
    times: List[int] = []
    m = case.measure
    window = steady_window(case)
    minimum = m.warmup_iterations
    limit_ns = m.max_warmup_s * 1e9
    start = now_ns()
    first: Optional[IterationResult] = None
    while len(times) < m.max_warmup_iterations:
        if len(times) >= minimum and now_ns() - start >= limit_ns:
            break
        result = iterate()
        if len(times) >= minimum and steady_state(times + [result.e2e_ns], window, m.steady_tolerance).steady:
            first = result
            break
        events.emit(Warmup(case_id=case.id, iteration=len(times), e2e_ns=result.e2e_ns))
        times.append(result.e2e_ns)
    verdict = steady_state(times + [first.e2e_ns] if first is not None else times, window, m.steady_tolerance)
    warmed = Warmed(case_id=case.id, iterations=len(times), steady=verdict.steady, window=window,
                    tolerance=float(m.steady_tolerance), spread=verdict.spread)
    events.emit(warmed)
    return WarmedUp(warmed, first)


GRAPHED_STEADY_WINDOW = 2


def steady_window(case: Case) -> int:
    """The warm-up window of the steady rule: the CASE's `steady_window`, at most GRAPHED_STEADY_WINDOW for a case
    replayed from CUDA graphs, whose capture already ran the graphed model (lazy kernel loading, cuDNN and cuBLAS
    choices, the allocator's first growth: what a first eager iteration pays) before warm-up began; the window used
    is the `warmed` event's. On an H100 such cases' first warm-up iterations were within 1 % of each other, and the
    third of a window of 3 cost as much as a tenth of the measured time."""
    if case.knobs.cuda_graphs is True:
        return min(case.measure.steady_window, GRAPHED_STEADY_WINDOW)
    return case.measure.steady_window


def measure(case: Case, events: EventStream, iterate: Callable[[], IterationResult],
            now_ns: Callable[[], int] = time.perf_counter_ns, on_measuring: Callable[[bool], None] = lambda m: None) -> int:
    """Warm up until steady, then measure until the median is steady (steady.measure_done), emitting a sample per
    iteration and a `load` event at the end; returns the number of measured iterations."""
    first = warm_up(case, events, iterate, now_ns).first
    on_measuring(True)
    meter = load_meter(now_ns)
    meter.start()
    start = now_ns()
    times: List[int] = []
    m = case.measure
    if first is not None:  # the iteration that completed warm-up's steady window is the first measured one
        events.emit(first.sample(case.id, 0))
        times.append(first.e2e_ns)
        start -= first.e2e_ns  # measuring began when it did (min_duration_s, max_measure_s)
    while not measure_done(times, now_ns() - start, min_iterations=m.min_iterations,
                           max_iterations=m.max_iterations, min_duration_s=m.min_duration_s,
                           max_measure_s=m.max_measure_s, target_ci_pct=m.target_ci_pct):
        result = iterate()
        events.emit(result.sample(case.id, len(times)))
        times.append(result.e2e_ns)
    on_measuring(False)
    events.emit(meter.stop(case.id))
    return len(times)


def load_meter(now_ns: Callable[[], int]) -> LoadMeter:
    """The machine's load meter (a seam for tests)."""
    return LoadMeter(now_ns=now_ns)


def scenario_for(case: Case, loaded, device):
    """The scenario object for a loaded model's family."""
    if loaded.family is Family.OPT:
        from .llm import LLMScenario  # noqa: PLC0415

        return LLMScenario(case, loaded, device)
    from .diffusion import DiffusionScenario  # noqa: PLC0415

    return DiffusionScenario(case, loaded, device)


class PhaseClock:
    """Wall time of a case's phases in the worker (`done.phases`, protocol.PHASES): `enter(name)` ends the phase
    that ran and starts `name`; `ns()` ends the last one and returns ns per phase, in the order they ran."""

    def __init__(self, now_ns: Callable[[], int] = time.perf_counter_ns):
        self._now_ns = now_ns
        self._ns: dict = {}
        self._name: Optional[str] = None
        self._since = 0

    def enter(self, name: Optional[str]) -> None:
        now = self._now_ns()
        if self._name is not None:
            self._ns[self._name] = self._ns.get(self._name, 0) + max(0, now - self._since)
        self._name, self._since = name, now

    def ns(self) -> dict:
        self.enter(None)
        return dict(self._ns)


def describe_phases(case_id: str, phases: dict) -> str:
    """One stderr line: where the case's time in the worker went."""
    return "case %s phases: %s" % (case_id, ", ".join("%s %.2f s" % (k, v / 1e9) for k, v in phases.items()))


def run_case(case: Case, cache, events: EventStream, device, *, clock=None,
             telemetry_for=telemetry.for_case, now_ns: Callable[[], int] = time.perf_counter_ns) -> bool:
    """Run one case, emitting its events; True when it succeeded. Failures end in failed + done.

    Before the first measured iteration only what the measurement needs runs: the model (built or reused), its
    preparation (memory format, compile, CUDA-graph capture) and warm-up. The profiled iteration and then the FLOP
    count (eager, under a counting dispatcher mode, once the scenario's graphs are released) run after the measured
    iterations, outside the memory window, so a user sees the first figure sooner. The count is the same wherever it
    runs: it counts the eager model at the case's shapes, which neither the memory format, a capture nor the
    iterations change (tests/test_flops_order.py). `done.phases` says how long each phase took."""
    sampler = telemetry.NoTelemetry()
    scenario = None
    window = memory.CaseMemory(device)
    phases = PhaseClock(now_ns)
    phases.enter("setup")
    try:
        cache.release_unless_reusable(case, device)
        window.start()
        sampler = telemetry_for(events, case.id, device)
        sampler.start()
        phases.enter("build")
        loaded, reused = cache.get(case, device)
        case = case.resolved(device_type(device), loaded.family)
        attention = case.knobs.attention
        attention_used = attention if (attention == "math" or attention_module.HAS_SDPA) else "math"
        events.emit(Loaded(case_id=case.id, load_ns=loaded.build_ns, weights=loaded.weights,
                           parameters=loaded.parameters, components=dict(loaded.components),
                           knobs=case.knobs.as_run(attention_used), reused=reused))
        scenario = scenario_for(case, loaded, device)
        if clock is not None:
            scenario.clock = clock
        window.model_ready()  # the model, not its build, from here on (memory.py)
        phases.enter("prepare")
        scenario.prepare()
        phases.enter("warmup")

        def on_measuring(measuring: bool) -> None:
            sampler.set_measuring(measuring)
            if measuring:
                phases.enter("measure")

        measure(case, events, scenario.iterate, on_measuring=on_measuring)
        peak = window.stop()  # the measured iterations' peak; the profiled iteration and the FLOP count are not measured
        phases.enter("profile")
        steps = profiling.profile_iteration(scenario, torch.device(device), getattr(scenario, "profiled_phase", None))
        scenario.close()  # its CUDA graphs' memory is free for the count's eager activations
        phases.enter("flops")
        work = flops.for_case(case, scenario)  # the eager model, at the case's shapes: what prepare() captured
        sampler.stop()
        phases.enter("finish")
        scenario = None
        if steps is not None:
            events.emit(Profile(case_id=case.id, method=profiling.METHOD, step_wall_ns=steps.step_wall_ns,
                                step_kernel_ns=steps.step_kernel_ns, busy_fraction=steps.busy_fraction))
        if work is not None:
            events.emit(Flops(case_id=case.id, method=flops.METHOD, flops_per_request=work.flops_per_request,
                              flops_per_step=work.flops_per_step, flops_per_token=work.flops_per_token,
                              decode_bytes_per_step=work.decode_bytes_per_step, prefill_flops=work.prefill_flops))
        events.emit(Memory(case_id=case.id, peak_allocated_bytes=peak.allocated_bytes,
                           peak_reserved_bytes=peak.reserved_bytes, device=peak.device, kind=peak.kind,
                           baseline_bytes=peak.baseline_bytes))
        spent = phases.ns()
        print(describe_phases(case.id, spent), file=sys.stderr)
        events.emit(Done(case_id=case.id, phases=spent))
        return True
    except (Exception, failures.Terminated, KeyboardInterrupt) as exc:
        kind = failures.classify(exc)
        message = failures.describe(exc, kind)
        if isinstance(exc, KeyboardInterrupt):
            kind, message = FailureKind.INFRASTRUCTURE, "interrupted"
        if kind is FailureKind.WORKER_ERROR:
            print("case %s failed (%s):" % (case.id, kind), file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
        else:  # a finding or a termination: the message is the whole story
            print("case %s failed (%s): %s" % (case.id, kind, message.splitlines()[0] if message else ""),
                  file=sys.stderr)
        terminated = isinstance(exc, (failures.Terminated, KeyboardInterrupt))
        exc.__traceback__ = None  # frames hold the tensors of the failed iteration
        del exc
        if scenario is not None:
            try:
                scenario.close()
            except Exception:
                pass
            scenario = None
        for stop in (sampler.stop, window.close):
            try:
                stop()
            except Exception:
                pass
        if kind is FailureKind.GPU_OUT_OF_MEMORY:
            print("releasing GPU memory after out-of-memory", file=sys.stderr)
        failures.release_memory()
        events.emit(Failed(case_id=case.id, kind=kind, message=message))
        events.emit(Done(case_id=case.id, phases=phases.ns()))
        if terminated:
            raise failures.Terminated(message)
        return False
