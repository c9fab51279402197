"""The suite's events on the worker wire (protocol/PROTOCOL.md, "Suite events").

Rank 0 writes them, one JSON line each, through the worker's own `protocol.EventStream`; other ranks are silent.
Order: `hello` (the worker's), `suite_start`, any number of `record`, then `suite_done` or `suite_failed`.
Times are integer nanoseconds, sizes integer bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict

from ..protocol import Event


@dataclass(frozen=True)
class SuiteStart(Event):
    """The experiment starts: world size, process-group backend (`nccl` | `gloo`), device kind, the config used."""

    TYPE = "suite_start"
    experiment: str
    world_size: int
    backend: str
    device: str
    simulate: bool
    config: Dict[str, Any]


@dataclass(frozen=True)
class Record(Event):
    """One measured (or detected) figure set; `kind` names its shape (collective, copy, topology, stage, ...)."""

    TYPE = "record"
    experiment: str
    kind: str
    data: Dict[str, Any]


@dataclass(frozen=True)
class SuiteFailed(Event):
    """The experiment stopped: `kind` as in `failed` (worker_error, gpu_out_of_memory, unsupported, ...)."""

    TYPE = "suite_failed"
    experiment: str
    kind: str
    message: str


@dataclass(frozen=True)
class SuiteDone(Event):
    """The experiment finished; `correct` is false when any correctness check failed."""

    TYPE = "suite_done"
    experiment: str
    correct: bool
