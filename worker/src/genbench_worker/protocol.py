"""The worker's side of the event wire (protocol/PROTOCOL.md, version 1).

stdout carries one compact JSON object per line and nothing else. `claim_stdout()` keeps a private
duplicate of fd 1 for the events and points fd 1 (and `sys.stdout`) at stderr, so a stray print from
any library lands in `worker.log` instead of corrupting the stream. `EventStream.emit` is the only
writer of that duplicate; it is thread-safe (the telemetry sampler emits from its own thread). Its test double,
`recording.RecordingStream`, lives in its own module: this one is the wire and nothing else.

This module must not import torch: `__main__` claims stdout before torch is imported.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import IO, Any, Dict, List, Optional

PROTOCOL_VERSION = 1


class FailureKind(str, enum.Enum):
    """Why a case produced no measurement: `failed.kind`, as `io.genbench.result.FailureKind` on the Java side.

    The value is the wire spelling. A member is a `str` equal to it, and `str()` / `format()` give it too, so
    the JSON is the same as when kinds were plain strings. The worker itself emits gpu_out_of_memory,
    unsupported, worker_error and infrastructure; the controller decides skipped, budget, timeout, oom_signal
    and oom_sigsegv.
    """

    GPU_OUT_OF_MEMORY = "gpu_out_of_memory"
    UNSUPPORTED = "unsupported"
    SKIPPED = "skipped"  # the controller did not run the case: its backend cannot
    BUDGET = "budget"  # the controller did not run the case: --budget-usd was spent
    OOM_SIGNAL = "oom_signal"
    OOM_SIGSEGV = "oom_sigsegv"
    TIMEOUT = "timeout"
    WORKER_ERROR = "worker_error"
    INFRASTRUCTURE = "infrastructure"

    @property
    def is_finding(self) -> bool:
        """A finding describes the configuration, not a fault of ours: report it in the cell, never retry it."""
        return self in (FailureKind.GPU_OUT_OF_MEMORY, FailureKind.UNSUPPORTED)

    @classmethod
    def of(cls, wire: str) -> "FailureKind":
        """The kind a wire string names; ValueError naming the known kinds for any other."""
        try:
            return cls(wire)
        except ValueError:
            raise ValueError("unknown failure kind %r; known: %s" % (wire, ", ".join(FAILURE_KINDS))) from None

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


#: The wire spellings of every FailureKind, in declaration order.
FAILURE_KINDS = tuple(k.value for k in FailureKind)


@dataclass(frozen=True)
class Event:
    """Base of every worker event; `TYPE` is the wire `type`."""

    TYPE = ""

    def to_dict(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"type": self.TYPE}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_if_none"):
                continue
            body[f.name] = value.value if isinstance(value, enum.Enum) else value
        return body

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _optional(**kwargs):
    return field(default=None, metadata={"omit_if_none": True}, **kwargs)


@dataclass(frozen=True)
class Device:
    """One accelerator as `hello` lists it; memory in bytes, capability like "9.0"."""

    index: int
    name: str
    memory_bytes: int
    capability: str


@dataclass(frozen=True)
class Hello(Event):
    """Once, first: who runs the cases (versions, devices, host)."""

    TYPE = "hello"
    worker_version: str
    python: str
    torch: str
    cuda: Optional[str]
    device: str
    devices: List[Dict[str, Any]]
    driver: Optional[str]
    hostname: str
    protocol: int = PROTOCOL_VERSION
    pid: Optional[int] = _optional()  # the worker process: one pid across a kept worker's jobs


@dataclass(frozen=True)
class Loaded(Event):
    """Model ready for a case. load_ns: the model's build/load, measured once per worker (the first time it was built)
    and reported alike for every case of it; reused: the case found it built (omitted when None)."""

    TYPE = "loaded"
    case_id: str
    load_ns: int
    weights: str  # "random" | "local"
    parameters: int
    components: Dict[str, int]
    # the knobs as resolved for this device: attention actually used, cuda_graphs, compile, channels_last
    knobs: Optional[Dict[str, Any]] = dataclasses.field(default=None, metadata={"omit_if_none": True})
    reused: Optional[bool] = _optional()


@dataclass(frozen=True)
class Warmup(Event):
    """One discarded iteration (never measured)."""

    TYPE = "warmup"
    case_id: str
    iteration: int
    e2e_ns: int


@dataclass(frozen=True)
class Warmed(Event):
    """Warm-up is over: how many iterations it took and whether timing was steady (PROTOCOL.md, CASE
    `steady_tolerance` / `steady_window`). spread: the last window's (max - min) / median, or None when fewer
    iterations than the window ran."""

    TYPE = "warmed"
    case_id: str
    iterations: int
    steady: bool
    window: int
    tolerance: float
    spread: Optional[float]


@dataclass(frozen=True)
class Profile(Event):
    """One extra, unmeasured iteration under a profiler: per denoising step the host wall time (ns) and the union
    of the GPU kernel intervals inside it (ns); busy_fraction = sum(kernel) / sum(wall), or None when the kernel
    times could not be trusted (stderr says why)."""

    TYPE = "profile"
    case_id: str
    method: str
    step_wall_ns: List[int]
    step_kernel_ns: List[int]
    busy_fraction: Optional[float]


@dataclass(frozen=True)
class Flops(Event):
    """The work of one request, counted once per model and shape (a multiply-add is 2 FLOPs). None where not
    counted: diffusion fills flops_per_request / flops_per_step, LLMs flops_per_request (prefill + decode steps),
    flops_per_token / decode_bytes_per_step and prefill_flops (omitted when None)."""

    TYPE = "flops"
    case_id: str
    method: str
    flops_per_request: Optional[int] = None
    flops_per_step: Optional[int] = None
    flops_per_token: Optional[int] = None
    decode_bytes_per_step: Optional[int] = None
    prefill_flops: Optional[int] = _optional()


@dataclass(frozen=True)
class Sample(Event):
    """One measured iteration. LLM cases add ttft_ns, prefill_ns, decode_token_ns and tokens."""

    TYPE = "sample"
    case_id: str
    iteration: int
    e2e_ns: int
    text_encode_ns: int
    step_ns: List[int]
    decode_ns: int
    images: int
    phase: str = "measure"
    ttft_ns: Optional[int] = _optional()
    prefill_ns: Optional[int] = _optional()
    decode_token_ns: Optional[List[int]] = _optional()
    tokens: Optional[int] = _optional()
    # numbers the measured samples of one case in this worker (one trial) from 0; the controller counts each seq once
    seq: Optional[int] = _optional()


@dataclass(frozen=True)
class Memory(Event):
    """Peak memory of the case in bytes. kind "cuda": the allocator's peaks since the case started; kind
    "rss-delta" (CPU): the peak resident set sampled during the case minus baseline_bytes, its value at the start,
    in both fields."""

    TYPE = "memory"
    case_id: str
    peak_allocated_bytes: int
    peak_reserved_bytes: int
    device: str
    kind: Optional[str] = _optional()
    baseline_bytes: Optional[int] = _optional()


@dataclass(frozen=True)
class Load(Event):
    """What else used the machine while the case's measured iterations ran (load.py), written once after them:
    the window's length, the 1-minute load average at its end, the online CPUs, and CPU time as % of the whole
    machine (all cores, 0-100) of every other process, of the hypervisor's steal, and of this process. None where
    the platform does not say."""

    TYPE = "load"
    case_id: str
    window_ns: int
    load_avg_1m: Optional[float]
    cpus: Optional[int]
    other_cpu_pct: Optional[float]
    steal_pct: Optional[float]
    self_cpu_pct: Optional[float]


@dataclass(frozen=True)
class Telemetry(Event):
    """GPU counters while a case runs; t_ns counts from the start of the case."""

    TYPE = "telemetry"
    case_id: str
    t_ns: int
    gpu_util_pct: float
    memory_used_pct: float
    power_w: float
    # true for windows inside the measured iterations, false for build / warm-up
    measuring: Optional[bool] = dataclasses.field(default=None, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class Failed(Event):
    """The case failed; `done` follows and the worker goes on with the next case."""

    TYPE = "failed"
    case_id: str
    kind: FailureKind  # a wire string is accepted and turned into its kind
    message: str

    def __post_init__(self):
        object.__setattr__(self, "kind", FailureKind.of(self.kind))


@dataclass(frozen=True)
class Done(Event):
    """The case finished (after `failed` too). phases: wall ns the worker spent in each phase of the case, in the
    order they ran (PHASES; a phase that did not run is absent; omitted when None)."""

    TYPE = "done"
    case_id: str
    phases: Optional[Dict[str, int]] = _optional()


# the phases of one case in the worker, in the order they run (`done.phases`): setup (the previous case's memory
# released, the memory window and telemetry started), build (the model built, or found built), prepare (memory
# format, compile, CUDA-graph capture), warmup and measure (the iterations, their events included), profile (the
# profiled iteration), flops (the FLOP count, after the measured iterations), finish (the last events)
PHASES = ("setup", "build", "prepare", "warmup", "measure", "profile", "flops", "finish")


@dataclass(frozen=True)
class JobDone(Event):
    """`--jobs-stdin`: the job read from stdin is over (every case got its `done`, or `error` says why none ran);
    the worker waits for the next. `job` is the path as read, `jobs` how many jobs this worker has ended, this one
    included."""

    TYPE = "job_done"
    job: str
    jobs: int
    cases: int
    error: Optional[str] = _optional()


class EventStream:
    """Writes events, one compact JSON line each, flushed at once. Thread-safe."""

    def __init__(self, sink: IO):
        self._sink = sink
        self._lock = threading.Lock()
        self._binary = "b" in getattr(sink, "mode", "")

    def emit(self, event: Event) -> None:
        line = event.to_json() + "\n"
        with self._lock:
            self._sink.write(line.encode("utf-8") if self._binary else line)
            self._sink.flush()


def claim_stdout() -> EventStream:
    """Take fd 1 for events; afterwards fd 1 and sys.stdout point at stderr."""
    try:
        sys.stdout.flush()
    except Exception:  # a closed or broken stdout: nothing to keep
        pass
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sink = os.fdopen(events_fd, "wb", buffering=0)
    return EventStream(sink)


# ---------------------------------------------------------------------------------------------
# Validation (tests and the fixture check): every line the worker may write must pass.

_INT = "int"
_NUM = "number"
_STR = "str"
_OPT_STR = "str|null"
_INT_LIST = "int[]"
_OBJ = "object"
_BOOL = "bool"
_LIST = "list"
_OPT_NUM = "number|null"
_OPT_INT = "int|null"

MEMORY_KINDS = ("cuda", "rss-delta")

_REQUIRED: Dict[str, Dict[str, str]] = {
    "hello": {
        "worker_version": _STR,
        "protocol": _INT,
        "python": _STR,
        "torch": _STR,
        "cuda": _OPT_STR,
        "device": _STR,
        "devices": _LIST,
        "driver": _OPT_STR,
        "hostname": _STR,
    },
    "loaded": {"case_id": _STR, "load_ns": _INT, "weights": _STR, "parameters": _INT, "components": _OBJ},
    "warmup": {"case_id": _STR, "iteration": _INT, "e2e_ns": _INT},
    "warmed": {"case_id": _STR, "iterations": _INT, "steady": _BOOL, "window": _INT, "tolerance": _NUM,
               "spread": _OPT_NUM},
    "profile": {"case_id": _STR, "method": _STR, "step_wall_ns": _INT_LIST, "step_kernel_ns": _INT_LIST,
                "busy_fraction": _OPT_NUM},
    "flops": {"case_id": _STR, "method": _STR},
    "sample": {
        "case_id": _STR,
        "iteration": _INT,
        "phase": _STR,
        "e2e_ns": _INT,
        "text_encode_ns": _INT,
        "step_ns": _INT_LIST,
        "decode_ns": _INT,
        "images": _INT,
    },
    "memory": {"case_id": _STR, "peak_allocated_bytes": _INT, "peak_reserved_bytes": _INT, "device": _STR},
    "telemetry": {"case_id": _STR, "t_ns": _INT, "gpu_util_pct": _NUM, "memory_used_pct": _NUM, "power_w": _NUM},
    "load": {"case_id": _STR, "window_ns": _INT, "load_avg_1m": _OPT_NUM, "cpus": _OPT_INT, "other_cpu_pct": _OPT_NUM,
             "steal_pct": _OPT_NUM, "self_cpu_pct": _OPT_NUM},
    "failed": {"case_id": _STR, "kind": _STR, "message": _STR},
    "done": {"case_id": _STR},
    "job_done": {"job": _STR, "jobs": _INT, "cases": _INT},
}

_OPTIONAL: Dict[str, Dict[str, str]] = {
    "hello": {"pid": _INT},
    "job_done": {"error": _STR},
    "done": {"phases": _OBJ},
    "loaded": {"knobs": _OBJ, "reused": _BOOL},
    "telemetry": {"measuring": _BOOL},
    "sample": {"ttft_ns": _INT, "prefill_ns": _INT, "decode_token_ns": _INT_LIST, "tokens": _INT, "seq": _INT},
    "memory": {"kind": _STR, "baseline_bytes": _OPT_INT},
    "flops": {"flops_per_request": _OPT_NUM, "flops_per_step": _OPT_NUM, "flops_per_token": _OPT_NUM,
              "decode_bytes_per_step": _OPT_NUM, "prefill_flops": _OPT_NUM},
}

_DEVICE_FIELDS = {"index": _INT, "name": _STR, "memory_bytes": _INT, "capability": _STR}


class ProtocolError(ValueError):
    """A line that is not a valid worker event."""


def _check(value: Any, kind: str, where: str) -> None:
    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)

    ok = {
        _INT: lambda v: is_int(v),
        _NUM: lambda v: (is_int(v) or isinstance(v, float)),
        _STR: lambda v: isinstance(v, str),
        _OPT_STR: lambda v: v is None or isinstance(v, str),
        _INT_LIST: lambda v: isinstance(v, list) and all(is_int(x) for x in v),
        _OBJ: lambda v: isinstance(v, dict),
        _LIST: lambda v: isinstance(v, list),
        _BOOL: lambda v: isinstance(v, bool),
        _OPT_NUM: lambda v: v is None or is_int(v) or isinstance(v, float),
        _OPT_INT: lambda v: v is None or is_int(v),
    }[kind](value)
    if not ok:
        raise ProtocolError("%s must be %s, was %r" % (where, kind, value))


def parse_event(line: str, *, strict: bool = True) -> Dict[str, Any]:
    """Parse and validate one worker event line; raise ProtocolError naming the problem.

    strict: also reject fields the protocol does not define (catches typos in emitters).
    """
    try:
        event = json.loads(line)
    except ValueError as e:
        raise ProtocolError("not JSON: %s: %r" % (e, line[:200]))
    if not isinstance(event, dict):
        raise ProtocolError("an event is a JSON object, got %r" % (line[:200],))
    kind = event.get("type")
    if kind not in _REQUIRED:
        raise ProtocolError("unknown event type %r; known: %s" % (kind, ", ".join(_REQUIRED)))
    required = _REQUIRED[kind]
    optional = _OPTIONAL.get(kind, {})
    for name, t in required.items():
        if name not in event:
            raise ProtocolError("%s event lacks %r" % (kind, name))
        _check(event[name], t, "%s.%s" % (kind, name))
    for name, t in optional.items():
        if name in event:
            _check(event[name], t, "%s.%s" % (kind, name))
    if strict:
        unknown = set(event) - set(required) - set(optional) - {"type"}
        if unknown:
            raise ProtocolError("%s event has unknown field(s): %s" % (kind, ", ".join(sorted(unknown))))
    for name, value in event.items():
        if name.endswith("_ns") and isinstance(value, int) and value < 0:
            raise ProtocolError("%s.%s must be >= 0, was %d" % (kind, name, value))
    if kind == "hello":
        if event["protocol"] != PROTOCOL_VERSION:
            raise ProtocolError("protocol %r, this worker speaks %d" % (event["protocol"], PROTOCOL_VERSION))
        if event["device"] not in ("cuda", "cpu"):
            raise ProtocolError("hello.device must be cuda or cpu, was %r" % event["device"])
        for i, d in enumerate(event["devices"]):
            if not isinstance(d, dict):
                raise ProtocolError("hello.devices[%d] must be an object" % i)
            for name, t in _DEVICE_FIELDS.items():
                if name not in d:
                    raise ProtocolError("hello.devices[%d] lacks %r" % (i, name))
                _check(d[name], t, "hello.devices[%d].%s" % (i, name))
    elif kind == "loaded":
        if event["weights"] not in ("random", "local"):
            raise ProtocolError("loaded.weights must be random or local, was %r" % event["weights"])
        for name, value in event["components"].items():
            _check(value, _INT, "loaded.components.%s" % name)
    elif kind == "sample":
        if event["phase"] != "measure":
            raise ProtocolError("sample.phase must be measure, was %r" % event["phase"])
        for name in ("iteration", "images", "tokens", "seq"):
            if isinstance(event.get(name), int) and event[name] < 0:
                raise ProtocolError("sample.%s must be >= 0, was %d" % (name, event[name]))
        for name in ("step_ns", "decode_token_ns"):
            if any(v < 0 for v in event.get(name) or []):
                raise ProtocolError("sample.%s must be >= 0" % name)
    elif kind == "memory":
        if event["device"] not in ("cuda", "cpu"):
            raise ProtocolError("memory.device must be cuda or cpu, was %r" % event["device"])
        if "kind" in event and event["kind"] not in MEMORY_KINDS:
            raise ProtocolError("memory.kind must be one of %s, was %r" % (", ".join(MEMORY_KINDS), event["kind"]))
    elif kind == "warmed":
        if event["window"] < 1 or event["iterations"] < 0:
            raise ProtocolError("warmed.window must be >= 1 and iterations >= 0, was %r / %r"
                                % (event["window"], event["iterations"]))
    elif kind == "profile":
        if len(event["step_wall_ns"]) != len(event["step_kernel_ns"]):
            raise ProtocolError("profile.step_wall_ns and step_kernel_ns must have one entry per step each")
        for name in ("step_wall_ns", "step_kernel_ns"):
            if any(v < 0 for v in event[name]):
                raise ProtocolError("profile.%s must be >= 0" % name)
    elif kind == "load":
        for name in ("other_cpu_pct", "steal_pct", "self_cpu_pct"):
            if event[name] is not None and not 0 <= event[name] <= 100:
                raise ProtocolError("load.%s must be a percentage from 0 to 100, was %r" % (name, event[name]))
    elif kind == "done" and "phases" in event:
        for name, value in event["phases"].items():
            if name not in PHASES:
                raise ProtocolError("done.phases: unknown phase %r; known: %s" % (name, ", ".join(PHASES)))
            _check(value, _INT, "done.phases.%s" % name)
            if value < 0:
                raise ProtocolError("done.phases.%s must be >= 0, was %d" % (name, value))
    elif kind == "failed":
        if event["kind"] not in FAILURE_KINDS:
            raise ProtocolError("unknown failure kind %r; known: %s" % (event["kind"], ", ".join(FAILURE_KINDS)))
    return event
