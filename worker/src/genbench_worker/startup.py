"""The worker's start, before its first job: the CUDA context created while torch is imported, and the driver version
read without a subprocess.

`import torch` (1-2 s on a GPU host: its CUDA libraries are loaded) and the creation of the device's CUDA context
(cuInit and the primary context: a few hundred ms, more with many GPUs) used to run one after the other. `EarlyContext`
creates the primary context of the device the worker will use on a thread of its own, through the driver API
(libcuda, by ctypes) and before torch is imported, so the two overlap. The CUDA runtime that torch uses takes the same
primary context of the device (it retains it again; the driver serialises the two), so what torch gets is what it
would have created itself, only sooner: the context is ready before the `hello`, as before, and no case's model load
pays for it. Nothing is done for `--device cpu`, where torch has no CUDA library (a CPU build), where libcuda is
missing or returns an error (torch then reports the problem as before), or with GENBENCH_EARLY_CUDA=0; a context made
for a device the worker then does not use is released.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import threading
import time
from typing import Callable, Optional

#: GENBENCH_EARLY_CUDA=0 turns the early context off (the context is then created by torch after its import).
ENV = "GENBENCH_EARLY_CUDA"


def ordinal_for(device: str, environ=os.environ) -> Optional[int]:
    """The CUDA device ordinal the worker will use for `--device`, or None where no early context is wanted."""
    if environ.get(ENV, "1").strip() == "0":
        return None
    name = device.strip().lower()
    if name == "auto":
        rank = environ.get("LOCAL_RANK", "")
        return int(rank) if rank.isdigit() else 0
    if name == "cuda":
        return 0
    match = re.fullmatch(r"cuda:(\d+)", name)
    return int(match.group(1)) if match else None


def torch_has_cuda() -> bool:
    """Whether the torch on the path is a CUDA build (its libtorch_cuda is there), found without importing it."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    for folder in spec.submodule_search_locations:
        lib = os.path.join(folder, "lib")
        if os.path.isdir(lib) and any(n.startswith("libtorch_cuda") for n in os.listdir(lib)):
            return True
    return False


def _libcuda():
    return ctypes.CDLL("libcuda.so.1")


class EarlyContext:
    """Retains the primary CUDA context of one device on a background thread (`start`), so that it is created while
    the main thread imports torch; `finish(device)` waits for it and releases it when the worker does not use that
    device after all. `seconds` is how long the thread took (None when it did nothing)."""

    def __init__(self, ordinal: Optional[int], load: Callable = _libcuda, now: Callable[[], float] = time.perf_counter):
        self.ordinal = ordinal
        self._load = load
        self._now = now
        self._thread: Optional[threading.Thread] = None
        self._lib = None
        self._device = None
        self.seconds: Optional[float] = None
        self.error: Optional[str] = None

    def start(self) -> "EarlyContext":
        if self.ordinal is not None:
            self._thread = threading.Thread(target=self._run, name="genbench-early-cuda", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        start = self._now()
        try:
            lib = self._load()
            if lib.cuInit(0) != 0:
                self.error = "cuInit failed"
                return
            device = ctypes.c_int()
            if lib.cuDeviceGet(ctypes.byref(device), ctypes.c_int(self.ordinal)) != 0:
                self.error = "no CUDA device %d" % self.ordinal
                return
            context = ctypes.c_void_p()
            if lib.cuDevicePrimaryCtxRetain(ctypes.byref(context), device) != 0:
                self.error = "cuDevicePrimaryCtxRetain failed"
                return
            self._lib, self._device = lib, device
            self.seconds = self._now() - start
        except Exception as e:  # no libcuda, no symbol: torch does it all, as before
            self.error = "%s: %s" % (type(e).__name__, e)

    @property
    def retained(self) -> bool:
        return self._device is not None

    def finish(self, device_type: str, index: Optional[int], timeout: float = 120.0) -> None:
        """Wait for the thread; release the context unless the worker runs on CUDA device `index` (the same ordinal)."""
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.retained and not (device_type == "cuda" and index == self.ordinal):
            release = getattr(self._lib, "cuDevicePrimaryCtxRelease_v2", None) or self._lib.cuDevicePrimaryCtxRelease
            release(self._device)
            self._lib, self._device = None, None

    def describe(self) -> str:
        if self.ordinal is None:
            return "not early"
        if self.seconds is None:
            return "not early (%s)" % (self.error or "not finished")
        return "device %d's context made in %.2f s alongside the imports" % (self.ordinal, self.seconds)


# --------------------------------------------------------------------------------------------------- driver version

PROC_VERSION = "/proc/driver/nvidia/version"
_MODULE_VERSION = re.compile(r"Kernel Module(?:\s+for\s+\S+)?\s+(\d+(?:\.\d+)+)")


def driver_version_from_proc(path: str = PROC_VERSION) -> Optional[str]:
    """The NVIDIA kernel module's version (what nvidia-smi and NVML call the driver version), e.g. "580.159.04", from
    /proc/driver/nvidia/version's first line; None where the file is missing or unlike that."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            first = f.readline()
    except OSError:
        return None
    match = _MODULE_VERSION.search(first)
    return match.group(1) if match else None
