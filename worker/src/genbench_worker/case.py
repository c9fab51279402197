"""Test cases as the controller sends them (protocol/PROTOCOL.md, table CASE).

`Case` mirrors the Java record `io.genbench.wire.WorkerCase` group for group (snake_case): the case's own
fields, `workload` (a `Diffusion` or an `Llm`, told apart by its "kind"), `knobs`, `measure`, and how the
worker builds the model. Fields and groups the controller always sends may be left out of hand-written
jobs: they take the defaults below, whose measuring settings are the controller's `Settings.DEFAULT`
(tests/test_case_defaults.py reads Settings.java and fails on a drift).
Unknown fields are rejected, so a typo or a protocol drift fails loudly instead of silently measuring
something else.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple, Union

PRECISIONS = ("float32", "float16", "bfloat16")
SCHEDULERS = ("euler", "ddim")
ATTENTIONS = ("sdpa", "math")


class CaseError(ValueError):
    """A job or case the worker cannot accept (names the field and the valid choices)."""


DEFAULT_PROMPT = "a photo of an astronaut riding a horse on mars"


@dataclass(frozen=True)
class Diffusion:
    """What one request of a diffusion case computes: a denoising loop (workload kind "diffusion")."""

    KIND: ClassVar[str] = "diffusion"

    steps: int = 20
    width: int = 512
    height: int = 512
    frames: Optional[int] = None
    guidance_scale: float = 7.5
    scheduler: str = "euler"
    prompt: str = DEFAULT_PROMPT

    def check(self, case_id: str) -> None:
        _require_int(self, "steps", case_id, minimum=1)
        for name in ("width", "height"):
            _require_int(self, name, case_id, minimum=8)
            if getattr(self, name) % 8:
                raise CaseError("case %s: %s must be a multiple of 8, was %d" % (case_id, name, getattr(self, name)))
        _require_int(self, "frames", case_id, minimum=1, nullable=True)
        _require_number(self, "guidance_scale", case_id, minimum=0.0)
        _require_choice(self, "scheduler", case_id, SCHEDULERS)
        _require_str(self, "prompt", case_id)

    @property
    def uses_cfg(self) -> bool:
        """Classifier-free guidance: > 1 runs the UNet on uncond + cond, doubling its batch."""
        return self.guidance_scale > 1.0


@dataclass(frozen=True)
class Llm:
    """What one request of an LLM case computes: a prefill of prompt_tokens, then output_tokens decode steps."""

    KIND: ClassVar[str] = "llm"

    prompt_tokens: int = 128
    output_tokens: int = 64

    def check(self, case_id: str) -> None:
        _require_int(self, "prompt_tokens", case_id, minimum=1)
        _require_int(self, "output_tokens", case_id, minimum=1)


Workload = Union[Diffusion, Llm]
WORKLOADS = {w.KIND: w for w in (Diffusion, Llm)}


CHANNELS_LAST_MAX_BATCH = 1  # measured faster at batch 1, slower at batch 4 (UNet batch 2 / 8); batch 2 unmeasured


@dataclass(frozen=True)
class Knobs:
    """How fast a case may be made to run, never what it computes. A new knob is a field here (with its check and
    its "auto" rule in `resolved`), the scenario code that applies it, and the Java `io.genbench.plan.Knobs`."""

    attention: str = "sdpa"
    cuda_graphs: Any = "auto"  # True | False | "auto": on where it is faster and sound (CUDA: UNets, OPT decode)
    compile: bool = False
    channels_last: Any = "auto"  # True | False | "auto": on for the SD 1.x/2.x UNet on CUDA at batch 1

    def check(self, case_id: str) -> None:
        _require_choice(self, "attention", case_id, ATTENTIONS)
        _require_bool(self, "compile", case_id)
        for name in ("cuda_graphs", "channels_last"):
            value = getattr(self, name)
            if not isinstance(value, bool) and value != "auto":
                raise CaseError("case %s: %s must be true, false or \"auto\", was %r" % (case_id, name, value))

    def resolved(self, device_type: str, family: str, batch_size: int = 1) -> "Knobs":
        """These knobs with every "auto" decided for the device: the fastest configuration that is numerically
        the same computation. CUDA graphs replay the kernels without launch overhead: on CUDA for every diffusion
        UNet and for OPT decoding (a static KV cache, one graph per decode step with eager's kernels and shapes, so
        the same computation; scenarios/llm.py). channels_last feeds cuDNN its native layout: on
        for the SD 1.x/2.x UNet on CUDA at batch 1 only, where it measured 7 % faster under graphs on an H100; at
        batch 4 (UNet batch 8 with guidance) the same UNet measured 7 % slower with it (63.4 vs 59.0 ms, every
        GroupNorm copying its input out of channels_last), on SDXL 2 % slower, and SVD's 3-D weights stay as they
        are (bench/RESULTS.md)."""
        on_cuda = device_type == "cuda"
        graphs = self.cuda_graphs if isinstance(self.cuda_graphs, bool) else on_cuda
        last = self.channels_last if isinstance(self.channels_last, bool) else (
            on_cuda and family == "sd" and batch_size <= CHANNELS_LAST_MAX_BATCH)
        return dataclasses.replace(self, cuda_graphs=graphs, channels_last=last)

    def as_run(self, attention_used: str) -> Dict[str, Any]:
        """The knobs as run, for the `loaded` event."""
        return dict(dataclasses.asdict(self), attention=attention_used)


@dataclass(frozen=True)
class Measure:
    """How a case is measured: warm-up until steady, then iterations until the stop rule holds (protocol/PROTOCOL.md,
    "When measuring stops"). The defaults are the controller's `Settings.DEFAULT` (tests/test_case_defaults.py)."""

    warmup_iterations: int = 1  # the minimum: warm-up goes on until timing is steady (protocol/PROTOCOL.md)
    max_warmup_iterations: int = 30
    max_warmup_s: float = 60.0
    steady_tolerance: float = 0.05
    steady_window: int = 3
    min_iterations: int = 10
    max_iterations: int = 100
    min_duration_s: float = 5.0
    target_ci_pct: float = 3.0  # measure on until the median's 95 % interval is within +- this % (PROTOCOL.md)
    max_measure_s: float = 60.0  # ... for at most this many seconds of measured iterations
    seed: int = 42

    def check(self, case_id: str) -> None:
        _require_int(self, "warmup_iterations", case_id, minimum=0)
        _require_int(self, "max_warmup_iterations", case_id,
                     minimum=self.warmup_iterations if isinstance(self.warmup_iterations, int) else 0)
        _require_number(self, "max_warmup_s", case_id, minimum=0.0)
        _require_number(self, "steady_tolerance", case_id, minimum=0.0)
        _require_int(self, "steady_window", case_id, minimum=1)
        _require_int(self, "min_iterations", case_id, minimum=1)
        _require_int(self, "max_iterations", case_id, minimum=1)
        if self.max_iterations < self.min_iterations:
            raise CaseError(
                "case %s: max_iterations (%d) must be >= min_iterations (%d)"
                % (case_id, self.max_iterations, self.min_iterations)
            )
        _require_number(self, "min_duration_s", case_id, minimum=0.0)
        _require_number(self, "target_ci_pct", case_id, minimum=0.0)
        if not 0 < self.target_ci_pct <= 100:
            raise CaseError("case %s: target_ci_pct must be a percentage in (0, 100], was %r" % (case_id, self.target_ci_pct))
        _require_number(self, "max_measure_s", case_id, minimum=0.0)
        _require_int(self, "seed", case_id)


_GROUPS = {"knobs": Knobs, "measure": Measure}
_FLOATS = ("guidance_scale", "min_duration_s", "max_warmup_s", "steady_tolerance", "target_ci_pct", "max_measure_s")


@dataclass(frozen=True)
class Case:
    """One cell of the test matrix: everything needed to reproduce one measurement, in the groups of the Java
    `WorkerCase`: the case's own fields, `workload` (what one request computes), `knobs`, `measure`, and how the
    worker builds the model."""

    id: str
    model: str
    instance_type: str = ""
    precision: str = "float32"
    batch_size: int = 1
    workload: Workload = Diffusion()
    knobs: Knobs = Knobs()
    measure: Measure = Measure()
    weights: Optional[str] = None
    save_images: Optional[str] = None
    tiny: bool = False
    backend: str = "torch"  # "torch": genbench's architectures; "diffusers": the pipeline folder in `weights`

    def __post_init__(self):
        _require_str(self, "id", "?", nonempty=True)
        _require_str(self, "model", self.id, nonempty=True)
        _require_str(self, "instance_type", self.id)
        _require_int(self, "batch_size", self.id, minimum=1)
        _require_choice(self, "precision", self.id, PRECISIONS)
        _require_choice(self, "backend", self.id, ("torch", "diffusers"))
        _require_bool(self, "tiny", self.id)
        if not isinstance(self.workload, (Diffusion, Llm)):
            raise CaseError("case %s: workload must be one of %s, was %r" % (self.id, ", ".join(WORKLOADS), self.workload))
        for group, kind in (("knobs", Knobs), ("measure", Measure)):
            if not isinstance(getattr(self, group), kind):
                raise CaseError("case %s: %s must be an object, was %r" % (self.id, group, getattr(self, group)))
        self.workload.check(self.id)
        self.knobs.check(self.id)
        self.measure.check(self.id)
        for name in ("weights", "save_images"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise CaseError("case %s: %s must be a non-empty path or null, was %r" % (self.id, name, value))

    def resolved(self, device_type: str, family: str) -> "Case":
        """This case with every "auto" knob decided for the device (`Knobs.resolved`)."""
        return dataclasses.replace(self, knobs=self.knobs.resolved(device_type, family, self.batch_size))

    @classmethod
    def build(cls, id: str, model: str, **fields: Any) -> "Case":
        """A case from keywords of any group, each put where it belongs (tests and hand-made cases): an LLM
        workload where prompt_tokens or output_tokens is given, else a diffusion one."""
        kind = Llm if {"prompt_tokens", "output_tokens"} & set(fields) else Diffusion
        groups: Dict[str, Dict[str, Any]] = {"workload": {}, "knobs": {}, "measure": {}}
        top: Dict[str, Any] = {}
        for name, value in fields.items():
            for group, group_cls in (("workload", kind), ("knobs", Knobs), ("measure", Measure)):
                if name in _names(group_cls):
                    groups[group][name] = value
                    break
            else:
                top[name] = value
        return cls(id=id, model=model, workload=kind(**groups["workload"]), knobs=Knobs(**groups["knobs"]),
                   measure=Measure(**groups["measure"]), **top)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Case":
        if not isinstance(data, dict):
            raise CaseError("a case is a JSON object, got %s" % type(data).__name__)
        case_id = data.get("id", "?")
        known = _names(cls)
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise CaseError("case %s: unknown field(s) %s; known fields: %s" % (case_id, ", ".join(unknown), ", ".join(known)))
        for name in ("id", "model"):
            if name not in data:
                raise CaseError("case %s lacks required field %r" % (case_id, name))
        values = dict(data)
        if "workload" in values:
            workload = values["workload"]
            if not isinstance(workload, dict) or workload.get("kind") not in WORKLOADS:
                raise CaseError("case %s: workload must be an object whose kind is one of %s, was %r"
                                % (case_id, ", ".join(WORKLOADS), workload))
            fields = dict(workload)
            del fields["kind"]
            values["workload"] = _group(case_id, "workload (%s)" % workload["kind"], WORKLOADS[workload["kind"]], fields)
        for group, group_cls in _GROUPS.items():
            if group in values:
                values[group] = _group(case_id, group, group_cls, values[group])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> "Case":
        return cls.from_dict(_loads(text, "case"))

    def to_dict(self) -> Dict[str, Any]:
        d = dataclasses.asdict(self)
        d["workload"] = dict(kind=self.workload.KIND, **d["workload"])
        return d


def place(data: Dict[str, Any], **fields: Any) -> Dict[str, Any]:
    """A copy of a CASE object (a dict, as JSON holds it) with each field set in the group that has it: the workload
    (of its kind), knobs, measure, or the case itself (tests and hand-edited jobs)."""
    out = json.loads(json.dumps(data))
    kind = WORKLOADS.get((out.get("workload") or {}).get("kind"), Diffusion)
    for name, value in fields.items():
        for group, group_cls in (("workload", kind), ("knobs", Knobs), ("measure", Measure)):
            if name in _names(group_cls):
                out.setdefault(group, {"kind": kind.KIND} if group == "workload" else {})[name] = value
                break
        else:
            out[name] = value
    return out


def _names(cls) -> Tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _group(case_id: str, where: str, cls, data: Any):
    """One group of a case from its JSON object: unknown fields are rejected by name, integral numbers accepted
    where floats are expected (JSON has one number type: 7 and 7.0 are the same guidance scale)."""
    if not isinstance(data, dict):
        raise CaseError("case %s: %s must be a JSON object, was %r" % (case_id, where, data))
    known = _names(cls)
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise CaseError("case %s: unknown field(s) %s in %s; known fields: %s"
                        % (case_id, ", ".join(unknown), where, ", ".join(known)))
    values = dict(data)
    for name in _FLOATS:
        if isinstance(values.get(name), int) and not isinstance(values.get(name), bool):
            values[name] = float(values[name])
    return cls(**values)


@dataclass(frozen=True)
class Job:
    """What one worker process runs: the cases, in order (usually all of one model)."""

    cases: Tuple[Case, ...]
    protocol: int = 1

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Job":
        if not isinstance(data, dict):
            raise CaseError("a job is a JSON object with protocol and cases")
        unknown = sorted(set(data) - {"protocol", "cases"})
        if unknown:
            raise CaseError("job: unknown field(s) %s; known: protocol, cases" % ", ".join(unknown))
        protocol = data.get("protocol", 1)
        if protocol != 1:
            raise CaseError("job: protocol %r is not supported; this worker speaks protocol 1" % (protocol,))
        cases = data.get("cases")
        if not isinstance(cases, list):
            raise CaseError("job: cases must be a list")
        parsed = tuple(Case.from_dict(c) for c in cases)
        ids = [c.id for c in parsed]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise CaseError("job: duplicate case id(s): %s" % ", ".join(duplicates))
        return cls(cases=parsed, protocol=protocol)

    @classmethod
    def from_json(cls, text: str) -> "Job":
        return cls.from_dict(_loads(text, "job"))


def _loads(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise CaseError("%s is not valid JSON: %s" % (what, e))


def _require_str(obj: Any, name: str, case_id: str, nonempty: bool = False) -> None:
    value = getattr(obj, name)
    if not isinstance(value, str) or (nonempty and not value):
        raise CaseError("case %s: %s must be a%s string, was %r" % (
            case_id, name, " non-empty" if nonempty else "", value))


def _require_bool(obj: Any, name: str, case_id: str) -> None:
    if not isinstance(getattr(obj, name), bool):
        raise CaseError("case %s: %s must be true or false, was %r" % (case_id, name, getattr(obj, name)))


def _require_int(obj: Any, name: str, case_id: str, minimum: Optional[int] = None, nullable: bool = False) -> None:
    value = getattr(obj, name)
    if value is None and nullable:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise CaseError("case %s: %s must be an integer%s, was %r" % (
            case_id, name, " or null" if nullable else "", value))
    if minimum is not None and value < minimum:
        raise CaseError("case %s: %s must be >= %d, was %d" % (case_id, name, minimum, value))


def _require_number(obj: Any, name: str, case_id: str, minimum: float) -> None:
    value = getattr(obj, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CaseError("case %s: %s must be a finite number, was %r" % (case_id, name, value))
    if value < minimum:
        raise CaseError("case %s: %s must be >= %s, was %s" % (case_id, name, minimum, value))


def _require_choice(obj: Any, name: str, case_id: str, choices: Tuple[str, ...]) -> None:
    value = getattr(obj, name)
    if value not in choices:
        raise CaseError("case %s: unknown %s %r; known: %s" % (case_id, name, value, ", ".join(choices)))
