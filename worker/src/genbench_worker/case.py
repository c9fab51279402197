"""Test cases as the controller sends them (protocol/PROTOCOL.md, table CASE).

`Case` mirrors the Java record field for field (snake_case). Fields the controller always sends
may be left out of hand-written jobs: they take the defaults below, whose measuring settings are the
controller's `Settings.DEFAULT` (tests/test_case_defaults.py reads Settings.java and fails on a drift).
Unknown fields are rejected, so a typo or a protocol drift fails loudly instead of silently measuring
something else.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

PRECISIONS = ("float32", "float16", "bfloat16")
SCHEDULERS = ("euler", "ddim")
ATTENTIONS = ("sdpa", "math")


class CaseError(ValueError):
    """A job or case the worker cannot accept (names the field and the valid choices)."""


@dataclass(frozen=True)
class Case:
    """One cell of the test matrix: everything needed to reproduce one measurement."""

    id: str
    model: str
    instance_type: str = ""
    batch_size: int = 1
    inference_steps: int = 20
    width: int = 512
    height: int = 512
    frames: Optional[int] = None
    precision: str = "float32"
    prompt: str = "a photo of an astronaut riding a horse on mars"
    guidance_scale: float = 7.5
    scheduler: str = "euler"
    attention: str = "sdpa"
    cuda_graphs: Any = "auto"  # True | False | "auto": on where it is faster and sound (CUDA, diffusion UNets)
    compile: bool = False
    channels_last: Any = "auto"  # True | False | "auto": on for the SD 1.x/2.x UNet on CUDA
    prompt_tokens: Optional[int] = None
    output_tokens: Optional[int] = None
    warmup_iterations: int = 2  # the minimum: warm-up goes on until timing is steady (protocol/PROTOCOL.md)
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
    weights: Optional[str] = None
    save_images: Optional[str] = None
    tiny: bool = False
    backend: str = "torch"  # "torch": genbench's architectures; "diffusers": the pipeline folder in `weights`

    def __post_init__(self):
        _require_str(self, "id", nonempty=True)
        _require_str(self, "model", nonempty=True)
        _require_str(self, "instance_type")
        _require_str(self, "prompt")
        _require_int(self, "batch_size", minimum=1)
        _require_int(self, "inference_steps", minimum=1)
        for name in ("width", "height"):
            _require_int(self, name, minimum=8)
            if getattr(self, name) % 8:
                raise CaseError("case %s: %s must be a multiple of 8, was %d" % (self.id, name, getattr(self, name)))
        _require_int(self, "frames", minimum=1, nullable=True)
        _require_choice(self, "precision", PRECISIONS)
        _require_choice(self, "scheduler", SCHEDULERS)
        _require_choice(self, "attention", ATTENTIONS)
        _require_choice(self, "backend", ("torch", "diffusers"))
        for name in ("compile", "tiny"):
            if not isinstance(getattr(self, name), bool):
                raise CaseError("case %s: %s must be true or false, was %r" % (self.id, name, getattr(self, name)))
        for name in ("cuda_graphs", "channels_last"):
            value = getattr(self, name)
            if not isinstance(value, bool) and value != "auto":
                raise CaseError("case %s: %s must be true, false or \"auto\", was %r" % (self.id, name, value))
        _require_number(self, "guidance_scale", minimum=0.0)
        _require_int(self, "prompt_tokens", minimum=1, nullable=True)
        _require_int(self, "output_tokens", minimum=1, nullable=True)
        _require_int(self, "warmup_iterations", minimum=0)
        _require_int(self, "max_warmup_iterations", minimum=self.warmup_iterations if isinstance(self.warmup_iterations, int) else 0)
        _require_number(self, "max_warmup_s", minimum=0.0)
        _require_number(self, "steady_tolerance", minimum=0.0)
        _require_int(self, "steady_window", minimum=1)
        _require_int(self, "min_iterations", minimum=1)
        _require_int(self, "max_iterations", minimum=1)
        if self.max_iterations < self.min_iterations:
            raise CaseError(
                "case %s: max_iterations (%d) must be >= min_iterations (%d)"
                % (self.id, self.max_iterations, self.min_iterations)
            )
        _require_number(self, "min_duration_s", minimum=0.0)
        _require_number(self, "target_ci_pct", minimum=0.0)
        if not 0 < self.target_ci_pct <= 100:
            raise CaseError("case %s: target_ci_pct must be a percentage in (0, 100], was %r" % (self.id, self.target_ci_pct))
        _require_number(self, "max_measure_s", minimum=0.0)
        _require_int(self, "seed")
        for name in ("weights", "save_images"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise CaseError("case %s: %s must be a non-empty path or null, was %r" % (self.id, name, value))

    def resolved(self, device_type: str, family: str) -> "Case":
        """This case with every "auto" knob decided for the device: the fastest configuration that is numerically
        the same computation. CUDA graphs replay the UNet's kernels without launch overhead: on for every diffusion
        UNet on CUDA (not for LLMs, whose KV cache grows every step). channels_last feeds cuDNN its native layout: on
        for the SD 1.x/2.x UNet on CUDA only, where it measured 7 % faster under graphs on an H100; on SDXL it
        measured 2 % slower, and SVD's 3-D weights stay as they are (bench/RESULTS.md)."""
        on_cuda = device_type == "cuda"
        graphs = self.cuda_graphs if isinstance(self.cuda_graphs, bool) else (on_cuda and family != "opt")
        last = self.channels_last if isinstance(self.channels_last, bool) else (on_cuda and family == "sd")
        return dataclasses.replace(self, cuda_graphs=graphs, channels_last=last)

    def knobs(self, attention_used: str) -> Dict[str, Any]:
        """The knobs as run, for the `loaded` event."""
        return {"attention": attention_used, "cuda_graphs": self.cuda_graphs, "compile": self.compile,
                "channels_last": self.channels_last}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Case":
        if not isinstance(data, dict):
            raise CaseError("a case is a JSON object, got %s" % type(data).__name__)
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise CaseError(
                "case %s: unknown field(s) %s; known fields: %s"
                % (data.get("id", "?"), ", ".join(unknown), ", ".join(known))
            )
        for name in ("id", "model"):
            if name not in data:
                raise CaseError("case %s lacks required field %r" % (data.get("id", "?"), name))
        values = dict(data)
        # JSON has one number type: 7 and 7.0 are the same guidance scale / duration
        for name in ("guidance_scale", "min_duration_s", "max_warmup_s", "steady_tolerance", "target_ci_pct",
                     "max_measure_s"):
            if isinstance(values.get(name), int) and not isinstance(values.get(name), bool):
                values[name] = float(values[name])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> "Case":
        return cls.from_dict(_loads(text, "case"))

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def uses_cfg(self) -> bool:
        """Classifier-free guidance: > 1 runs the UNet on uncond + cond, doubling its batch."""
        return self.guidance_scale > 1.0


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


def _require_str(case: Case, name: str, nonempty: bool = False) -> None:
    value = getattr(case, name)
    if not isinstance(value, str) or (nonempty and not value):
        raise CaseError("case %s: %s must be a%s string, was %r" % (
            getattr(case, "id", "?"), name, " non-empty" if nonempty else "", value))


def _require_int(case: Case, name: str, minimum: Optional[int] = None, nullable: bool = False) -> None:
    value = getattr(case, name)
    if value is None and nullable:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise CaseError("case %s: %s must be an integer%s, was %r" % (
            case.id, name, " or null" if nullable else "", value))
    if minimum is not None and value < minimum:
        raise CaseError("case %s: %s must be >= %d, was %d" % (case.id, name, minimum, value))


def _require_number(case: Case, name: str, minimum: float) -> None:
    value = getattr(case, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CaseError("case %s: %s must be a finite number, was %r" % (case.id, name, value))
    if value < minimum:
        raise CaseError("case %s: %s must be >= %s, was %s" % (case.id, name, minimum, value))


def _require_choice(case: Case, name: str, choices: Tuple[str, ...]) -> None:
    value = getattr(case, name)
    if value not in choices:
        raise CaseError("case %s: unknown %s %r; known: %s" % (case.id, name, value, ", ".join(choices)))
