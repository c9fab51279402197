"""The kind of a device ("cuda", "cpu", ...), from a `torch.device` or its spelling ("cuda:1"), written once.

Torch-free, so modules that must not import torch before they need it (timing, telemetry, memory) can ask too.
"""

from __future__ import annotations


def device_type(device) -> str:
    """"cuda" for torch.device("cuda", 1) and for "cuda:1"; "cpu" for "cpu"."""
    return getattr(device, "type", str(device).split(":")[0])


def is_cuda(device) -> bool:
    return device_type(device) == "cuda"
