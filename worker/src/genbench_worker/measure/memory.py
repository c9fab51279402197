"""Peak memory of one case, in bytes: the case's own, not the process's.

CUDA (kind "cuda"): `torch.cuda.max_memory_allocated` / `max_memory_reserved` from the moment the case's model is
in place (built or reused), to the end of its measured iterations: the model's weights, the
case's preparation (CUDA-graph capture, compilation) and its iterations. Before the window opens, the caching
allocator hands back every block no live tensor holds (`empty_cache`, after a collection: a finished case's
CUDA-graph pools, cached activations and the build's temporaries included) and cuBLAS's per-stream workspaces are
dropped (a CUDA-graphed case's warm-up and capture streams each leave one, 32 MiB on Hopper, held as live memory): a
reset keeps the *current* reservation as the new peak, so without it a case measured after a bigger or CUDA-graphed
one reserved what that one left cached (SD 2.1 batch 1: 4.61 GiB first, 5.31 GiB after a graphed case on an H200).
The build is outside the window because its history changed the figure: the first case of a fresh worker laid its
activations into the build's freed temporaries and reserved 4.61 GiB where the same case measured again in that
worker, from an emptied cache, reserved 4.92 GiB (SD 2.1 768² batch 1 float16, H100; bench/RESULTS.md §14).

CPU (kind "rss-delta"): `ru_maxrss` is a lifetime peak, so it cannot say what one case used. Instead a daemon
thread reads the current resident set (/proc/self/statm) every few milliseconds while the case runs, and where
Linux allows it (/proc/self/clear_refs "5", Linux >= 4.0) the kernel's own high-water mark (VmHWM) is reset at
the case start and read at its end, which catches excursions shorter than the sampling period (the sampler alone
misses them: it needs the GIL, which the main thread may hold for a whole switch interval). The figure is
max(0, peak - baseline), baseline being the resident set when the case started, in both fields. Before the
baseline is read, freed heap is handed back to the OS (glibc `malloc_trim`), so memory an earlier, bigger case
freed but the allocator kept is not in this case's baseline. And glibc's mmap threshold is pinned at its initial
128 KiB for the worker's life (`mallopt`): left alone, glibc raises it (up to 32 MiB) whenever a big block is
freed, after which blocks below it come from a heap that keeps freed pages resident, so the same case measured
up to 15 % more after a bigger one. Pinned, every block above 128 KiB is mapped on allocation and unmapped on
free, and the resident set follows live memory: the same case measures the same after any other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
from dataclasses import dataclass
from typing import Callable, Optional

from ..devices import is_cuda

RSS_PERIOD_S = 0.003


@dataclass(frozen=True)
class PeakMemory:
    allocated_bytes: int
    reserved_bytes: int
    device: str  # "cuda" | "cpu"
    kind: str = "cuda"  # "cuda" | "rss-delta"
    baseline_bytes: Optional[int] = None  # rss-delta only


def reset(device) -> None:
    """Start a new CUDA peak window (a no-op on CPU)."""
    if is_cuda(device):
        import torch  # noqa: PLC0415

        torch.cuda.reset_peak_memory_stats(device)


def release_cached(device) -> None:
    """Hand the allocator's unused cached blocks back to the driver, so the next window starts from live memory only
    (a no-op on CPU)."""
    if is_cuda(device):
        import torch  # noqa: PLC0415

        gc.collect()
        torch.cuda.synchronize(device)
        clear_workspaces = getattr(torch._C, "_cuda_clearCublasWorkspaces", None)  # torch >= 1.13
        if clear_workspaces is not None:
            clear_workspaces()
        torch.cuda.empty_cache()


def cuda_peak(device) -> PeakMemory:
    import torch  # noqa: PLC0415

    return PeakMemory(allocated_bytes=int(torch.cuda.max_memory_allocated(device)),
                      reserved_bytes=int(torch.cuda.max_memory_reserved(device)), device="cuda", kind="cuda")


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss_bytes() -> int:
    """The process's resident set now (Linux /proc/self/statm); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD_BYTES = 128 * 1024
_pinned = False


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def pin_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold (no dynamic raising) once per process; False where there is no glibc."""
    global _pinned
    if not _pinned:
        try:
            _pinned = bool(_libc().mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
        except (OSError, AttributeError):
            return False
    return _pinned


def trim_heap() -> None:
    """Collect garbage and give freed heap pages back to the OS (glibc only; elsewhere just the collection)."""
    gc.collect()
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        pass


class HighWaterMark:
    """The kernel's peak resident set of this process (VmHWM), resettable through /proc/self/clear_refs."""

    def reset(self) -> bool:
        """Start a new peak at the current resident set; False where the kernel does not allow it."""
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            return self.read() > 0
        except OSError:
            return False

    def read(self) -> int:
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0


class RssSampler:
    """Reads the resident set every `period_s` on a daemon thread and keeps the maximum (and, where available,
    the kernel's high-water mark since `start`)."""

    def __init__(self, read_rss: Callable[[], int] = current_rss_bytes, period_s: float = RSS_PERIOD_S,
                 high_water: Optional[HighWaterMark] = HighWaterMark()):
        self._read = read_rss
        self._period_s = period_s
        self._high_water = high_water
        self._high_water_reset = False
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.baseline = 0
        self.peak = 0

    def start(self) -> None:
        self._high_water_reset = self._high_water is not None and self._high_water.reset()
        self.baseline = self._read()
        self.peak = self.baseline
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="genbench-rss", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._period_s):
            rss = self._read()
            if rss > self.peak:
                self.peak = rss

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        self.peak = max(self.peak, self._read())
        if self._high_water_reset:
            self.peak = max(self.peak, self._high_water.read())

    @property
    def delta(self) -> int:
        return max(0, self.peak - self.baseline)


class CaseMemory:
    """The memory window of one case: `start()` at its beginning, `model_ready()` once its model is in place (built or
    reused), `stop()` after measuring (returns the peak). `close()` is safe to call at any time (failure paths)."""

    def __init__(self, device, sampler_factory: Callable[[], RssSampler] = RssSampler):
        self.device = device
        self._cuda = is_cuda(device)
        self._sampler = None if self._cuda else sampler_factory()

    def start(self) -> None:
        release_cached(self.device)
        reset(self.device)
        if self._sampler is not None:
            pin_mmap_threshold()
            trim_heap()
            self._sampler.start()

    def model_ready(self) -> None:
        """The model is in place: on CUDA the window restarts from an emptied cache, so neither the build (its
        temporaries) nor an earlier case's leftovers shape this case's peak. On CPU the baseline, read at `start()`,
        already holds a kept model; a new build stays in the window there."""
        if self._cuda:
            release_cached(self.device)
            reset(self.device)

    def stop(self) -> PeakMemory:
        if self._cuda:
            return cuda_peak(self.device)
        self._sampler.stop()
        delta = self._sampler.delta
        return PeakMemory(allocated_bytes=delta, reserved_bytes=delta, device="cpu", kind="rss-delta",
                          baseline_bytes=self._sampler.baseline)

    def close(self) -> None:
        if self._sampler is not None:
            self._sampler.stop()
