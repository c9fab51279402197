"""Peak memory of a case, in bytes.

CUDA: `torch.cuda.max_memory_allocated` / `max_memory_reserved` since `reset()` at the case start.
CPU: the process peak resident set size (`ru_maxrss`, KiB on Linux) for both numbers. It cannot be
reset, so on CPU it is the peak of the whole worker process up to this case.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class PeakMemory:
    allocated_bytes: int
    reserved_bytes: int
    device: str  # "cuda" | "cpu"


def _device_type(device) -> str:
    return getattr(device, "type", str(device).split(":")[0])


def reset(device) -> None:
    """Start a new peak window (CUDA only; a no-op on CPU)."""
    if _device_type(device) == "cuda":
        import torch  # noqa: PLC0415

        torch.cuda.reset_peak_memory_stats(device)


def peak(device) -> PeakMemory:
    if _device_type(device) == "cuda":
        import torch  # noqa: PLC0415

        return PeakMemory(
            allocated_bytes=int(torch.cuda.max_memory_allocated(device)),
            reserved_bytes=int(torch.cuda.max_memory_reserved(device)),
            device="cuda",
        )
    rss = host_peak_rss_bytes()
    return PeakMemory(allocated_bytes=rss, reserved_bytes=rss, device="cpu")


def host_peak_rss_bytes() -> int:
    try:
        import resource  # noqa: PLC0415 (POSIX only)
    except ImportError:
        return 0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(maxrss if sys.platform == "darwin" else maxrss * 1024)  # macOS reports bytes
