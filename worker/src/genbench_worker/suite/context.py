"""What every experiment gets: its rank in the process group, the device, a clock, and the event stream.

Under `--simulate` the group is gloo over CPU processes; otherwise NCCL with one GPU per rank (`cuda:LOCAL_RANK`).
Only rank 0 emits; the other ranks' `emit` drops the event (they stay silent on the wire).
"""
from __future__ import annotations

import os
import statistics
import time
from typing import Callable, List, Optional

import torch
import torch.distributed as dist

from .events import Record


class Context:
    def __init__(self, experiment: str, config: dict, events, simulate: bool, device: torch.device, backend: str):
        self.experiment = experiment
        self.config = config
        self.events = events
        self.simulate = simulate
        self.device = device
        self.backend = backend
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()
        self.correct = True

    @property
    def on_cuda(self) -> bool:
        return self.device.type == "cuda"

    def dtype(self) -> torch.dtype:
        """The models' dtype: float32 on the CPU and under --simulate, else the config's precision (float16)."""
        if self.simulate or not self.on_cuda:
            return torch.float32
        return getattr(torch, self.config.get("precision", "float16"))

    def build(self, model_id: str):
        """The worker's own model at this context's dtype: tiny under --simulate (or config `tiny`), random weights
        seeded by config `seed`."""
        from ..models import registry  # noqa: PLC0415

        return registry.build(model_id, tiny=self.simulate or bool(self.config.get("tiny")), device=self.device,
                              dtype=self.dtype(), seed=int(self.config.get("seed", 0)))

    def emit(self, event) -> None:
        if self.rank == 0 and self.events is not None:
            self.events.emit(event)

    def record(self, kind: str, **data) -> None:
        if data.get("correct") is False:
            self.correct = False
        self.emit(Record(experiment=self.experiment, kind=kind, data=data))

    def sync(self) -> None:
        if self.on_cuda:
            torch.cuda.synchronize(self.device)

    def now_ns(self) -> int:
        """Host monotonic clock (CLOCK_MONOTONIC: comparable between processes of one host)."""
        return time.perf_counter_ns()

    def time_op(self, op: Callable[[], None], warmup: int, iterations: int) -> List[int]:
        """Per-iteration times of `op` in ns after `warmup` unmeasured runs (CUDA events on GPU)."""
        for _ in range(warmup):
            op()
        self.sync()
        times: List[int] = []
        if self.on_cuda:
            pairs = []
            for _ in range(iterations):
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                op()
                end.record()
                pairs.append((start, end))
            torch.cuda.synchronize(self.device)
            times = [int(round(s.elapsed_time(e) * 1_000_000)) for s, e in pairs]
        else:
            for _ in range(iterations):
                t0 = time.perf_counter_ns()
                op()
                times.append(time.perf_counter_ns() - t0)
        return times

    def slowest(self, value_ns: int, group=None) -> int:
        """The largest of every rank's value (nccl-tests reports the slowest rank)."""
        t = torch.tensor([float(value_ns)], dtype=torch.float64 if not self.on_cuda else torch.float64,
                         device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX, group=group)
        return int(t.item())

    def all_true(self, ok: bool) -> bool:
        t = torch.tensor([0 if ok else 1], dtype=torch.int32, device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return int(t.item()) == 0


def median(values: List[int]) -> int:
    return int(statistics.median(values))


def local_rank() -> int:
    v = os.environ.get("LOCAL_RANK", "0")
    return int(v) if v.isdigit() else 0


def choose(simulate: bool, requested: Optional[str] = None):
    """(device, backend): CPU + gloo under simulate (or without CUDA when asked), else cuda:LOCAL_RANK + nccl."""
    if simulate:
        return torch.device("cpu"), "gloo"
    if not torch.cuda.is_available():
        raise RuntimeError("CUDA is not available to this torch (%s); use --simulate for the CPU run" % torch.__version__)
    device = torch.device("cuda", local_rank())
    torch.cuda.set_device(device)
    return device, "nccl"
