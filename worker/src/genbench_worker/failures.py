"""Exceptions → failure kinds (`protocol.FailureKind`, the wire's `failed.kind`), and recovery after a GPU OOM.

A GPU out-of-memory and an unsupported configuration are *findings* about the case
(`FailureKind.is_finding`: the report shows them in the cell and they are never retried); anything
else is a `worker_error`. Host
memory exhaustion that Python survives (MemoryError, the CPU allocator's RuntimeError) is a
`worker_error` whose message says so; a worker killed by the kernel's OOM killer is classified
by the controller (`oom_signal`), never here.
"""

from __future__ import annotations

import gc
import re
import sys
from typing import Optional

from .protocol import FailureKind

MAX_MESSAGE_CHARS = 2000


class Unsupported(Exception):
    """The configuration cannot run here (a knob, precision or model this device/torch lacks)."""


class Terminated(BaseException):
    """The worker received SIGTERM (node drain, controller cancel): the running case is cut short."""


# Errors torch raises when a dtype/op/device combination has no kernel: the configuration, not the
# worker, is at fault (e.g. float16 conv on CPU with torch 1.13: "not implemented for 'Half'").
_UNSUPPORTED_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"not implemented for '(Half|BFloat16|ComplexHalf)'",
        r"\bunsupported (scalartype|dtype)\b",
        r"got unsupported scalartype",
        r"bf16 is (only )?supported",
        r"bfloat16 is not supported",
        r"no kernel image is available",
        r"no available kernel",
        r"only supports? (ampere|sm8x|sm80)",
        r"cannot find a working triton installation",
        r"triton (is )?(not available|only supports)",
        r"torch\.compile is not supported",
        r"dynamo is not supported",
    )
]

_GPU_OOM_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(cuda|hip|xpu|mps)\b.*out of memory",
        r"out of memory.*\b(cuda|hip)\b",
        r"CUBLAS_STATUS_ALLOC_FAILED",
        r"CUDNN_STATUS_(ALLOC_FAILED|NOT_ENOUGH_WORKSPACE)",
        r"cuda error: out of memory",
    )
]

_HOST_OOM_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (r"DefaultCPUAllocator: (can't|not enough memory)", r"\bstd::bad_alloc\b")
]


def _is_unsupported_model(exc: BaseException) -> bool:
    try:
        from .models import registry  # noqa: PLC0415 (optional: the registry may not exist)
    except Exception:
        return type(exc).__name__ == "UnsupportedModel"
    cls = getattr(registry, "UnsupportedModel", None)
    return isinstance(exc, cls) if isinstance(cls, type) else type(exc).__name__ == "UnsupportedModel"


def _is_torch_oom(exc: BaseException) -> bool:
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    for cls in (getattr(torch, "OutOfMemoryError", None), getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None)):
        if isinstance(cls, type) and isinstance(exc, cls):
            return True
    return False


def is_host_oom(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    return isinstance(exc, RuntimeError) and any(p.search(str(exc)) for p in _HOST_OOM_PATTERNS)


def classify(exc: BaseException) -> FailureKind:
    """The failure kind for an exception raised while running a case."""
    if isinstance(exc, Terminated):
        return FailureKind.INFRASTRUCTURE
    if _is_torch_oom(exc):
        return FailureKind.GPU_OUT_OF_MEMORY
    if is_host_oom(exc):
        return FailureKind.WORKER_ERROR
    text = str(exc)
    if isinstance(exc, RuntimeError) and any(p.search(text) for p in _GPU_OOM_PATTERNS):
        return FailureKind.GPU_OUT_OF_MEMORY
    if isinstance(exc, Unsupported) or _is_unsupported_model(exc):
        return FailureKind.UNSUPPORTED
    if isinstance(exc, (RuntimeError, NotImplementedError, TypeError)) and any(
        p.search(text) for p in _UNSUPPORTED_PATTERNS
    ):
        return FailureKind.UNSUPPORTED
    return FailureKind.WORKER_ERROR


def describe(exc: BaseException, kind: Optional[FailureKind] = None) -> str:
    """A one-paragraph message for `failed.message`: what happened, no stack trace (that goes to stderr)."""
    kind = FailureKind.of(kind) if kind is not None else classify(exc)
    text = str(exc).strip() or type(exc).__name__
    if kind is FailureKind.GPU_OUT_OF_MEMORY:
        # keep what was asked and what was free; drop torch's allocator advice
        message = re.split(r"\s+(If reserved but unallocated|See documentation for Memory Management)", text)[0]
    elif kind is FailureKind.WORKER_ERROR and is_host_oom(exc):
        message = "host memory exhausted (%s): %s" % (type(exc).__name__, text)
    elif kind in (FailureKind.UNSUPPORTED, FailureKind.INFRASTRUCTURE):
        message = text
    else:
        message = "%s: %s" % (type(exc).__name__, text)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 3] + "..."
    return message


def release_memory() -> None:
    """Free what a failed case left behind so the next case starts clean (call with no live refs)."""
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return
    try:
        torch.cuda.synchronize()
    except Exception:  # a sticky CUDA error: the next case will report it
        pass
    torch.cuda.empty_cache()
    try:
        torch.cuda.reset_peak_memory_stats()
    except Exception:
        pass
