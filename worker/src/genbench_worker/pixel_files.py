"""The serving worker's side of the pixel files (protocol/PROTOCOL.md, "Serving", format `file`): each file the
controller names is opened and mapped shared once, for the life of the worker, and a batch's uint8 pixels are copied
straight into the mapping, so a batch costs no open, truncate or write() and no staging copy.

The file only grows: `ftruncate` when a batch needs more than it holds (to a whole number of pages), never to shrink;
the new mapping is touched once then (its pages faulted in), so later batches take no page faults. On CUDA the mapping
is registered with CUDA (`cudaHostRegister`, page-locked), and the device's images are copied into it by DMA at the
link's speed; where registration fails, or there is no CUDA, the images are copied into the mapping by the CPU (which
for a CUDA tensor means the driver's own staging). Which path is used is said once on stderr.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Tuple

MAX_FILES = 8  # mapped files kept (the controller names two per worker); least recently used unmapped first
PAGE = mmap.PAGESIZE


def register(cudart, ptr: int, nbytes: int) -> Tuple[bool, str]:
    """(registered, why not): `cudaHostRegister(ptr, nbytes, 0)` through `cudart` (torch.cuda.cudart(), or a test's)."""
    if cudart is None:
        return False, "no CUDA device"
    try:
        code = cudart.cudaHostRegister(ptr, nbytes, 0)
    except Exception as e:  # an old torch without the binding, or a driver that refuses the call outright
        return False, "cudaHostRegister is unavailable: %r" % (e,)
    code = int(getattr(code, "value", code))
    if code != 0:
        return False, "cudaHostRegister failed with CUDA error %d" % code
    return True, ""


class PixelFile:
    """One pixel file, mapped shared for as long as it is kept."""

    def __init__(self, path: str, torch, cudart=None):
        self.path = path
        self.torch = torch
        self.cudart = cudart
        self.fd = os.open(path, os.O_RDWR)
        st = os.fstat(self.fd)
        self.ident = (st.st_dev, st.st_ino)
        self.size = 0  # bytes mapped (0: not mapped)
        self._map: Optional[mmap.mmap] = None
        self.view = None  # uint8 tensor over the whole mapping
        self.registered = False
        self.why_not = "no CUDA device" if cudart is None else ""

    def ensure(self, nbytes: int) -> None:
        """Maps at least `nbytes`, growing the file when it holds fewer (it never shrinks)."""
        if nbytes <= self.size:
            return
        self._unmap()
        size = max(-(-nbytes // PAGE) * PAGE, PAGE)
        if os.fstat(self.fd).st_size < size:
            os.ftruncate(self.fd, size)
        self._map = mmap.mmap(self.fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self.view = self.torch.frombuffer(self._map, dtype=self.torch.uint8)
        self.view.fill_(0)  # every page faulted in now, not during a batch's copy
        self.size = size
        if self.cudart is not None:
            self.registered, self.why_not = register(self.cudart, self.view.data_ptr(), size)

    def queue(self, x) -> bool:
        """Queues the copy of uint8 `x` to the start of the file on the current stream where it can go by DMA (`x` on a
        CUDA device, the mapping registered): True, and it is there once that stream is synchronized. False, with
        nothing copied, otherwise."""
        if x.device.type != "cuda":
            return False
        self.ensure(x.numel())
        if not self.registered:
            return False
        self.view[:x.numel()].view(x.shape).copy_(x, non_blocking=True)  # DMA into the page-locked mapping
        return True

    def put(self, x) -> None:
        """Copies uint8 `x` (contiguous, on the device or the host) to the start of the file; returns once it is there."""
        if self.queue(x):
            self.torch.cuda.current_stream(x.device).synchronize()
            return
        n = x.numel()
        self.ensure(n)
        if x.device.type == "cpu" and x.is_contiguous():
            # libc's memmove: 118 us for a 768^2 image on the 2-core VM against copy_'s 167 (bench/pixel_trip.py)
            ctypes.memmove(self.view.data_ptr(), x.data_ptr(), n)
            return
        self.view[:n].view(x.shape).copy_(x)

    def _unmap(self) -> None:
        if self._map is None:
            return
        if self.registered:
            self.cudart.cudaHostUnregister(self.view.data_ptr())
            self.registered = False
        self.view = None  # the tensor holds the mmap's buffer: drop it before closing the mapping
        self._map.close()
        self._map, self.size = None, 0

    def close(self) -> None:
        self._unmap()
        os.close(self.fd)


class PixelFiles:
    """The files the controller names, each mapped once (`PixelFile`), kept by path. `cudart` is None without CUDA."""

    def __init__(self, torch, cudart=None, log: Callable[[str], None] = None):
        self.torch = torch
        self.cudart = cudart
        self._log = log or (lambda s: print(s, file=sys.stderr))
        self._files: "OrderedDict[str, PixelFile]" = OrderedDict()
        self.said = None  # the path line said on stderr, once

    def file(self, path: str) -> PixelFile:
        """The kept mapping of `path`; opened anew when the file there is another one, or was cut below the mapping (a
        write past a shared mapping's end would kill the worker with SIGBUS)."""
        st = os.stat(path)
        f = self._files.get(path)
        if f is not None and (f.ident != (st.st_dev, st.st_ino) or st.st_size < f.size):
            self._files.pop(path).close()
            f = None
        if f is None:
            f = self._files[path] = PixelFile(path, self.torch, self.cudart)
            while len(self._files) > MAX_FILES:
                self._files.popitem(last=False)[1].close()
        else:
            self._files.move_to_end(path)
        return f

    def write(self, path: str, pixels) -> List[Dict[str, int]]:
        """uint8 [N, H, W, 3] images one after the other from the start of `path` (which holds at least that much from
        now on); where each lies."""
        f = self.file(path)
        f.put(pixels)
        self._say(f)
        return _layout(pixels)

    def queue(self, path: str, pixels) -> Optional[List[Dict[str, int]]]:
        """As `write` for uint8 images on a CUDA device whose copy can go by DMA (the file's mapping registered): the
        copy is only queued on the current stream, behind whatever the device still has to do, and is in the file once
        that stream is synchronized. Returns where each image will lie, or None, with nothing copied, where the copy
        cannot go by DMA (host images, a mapping CUDA would not register): `write` them then."""
        if pixels.device.type != "cuda":
            return None
        f = self.file(path)
        queued = f.queue(pixels)
        self._say(f)
        return _layout(pixels) if queued else None

    def _say(self, f: "PixelFile") -> None:
        if self.said is None:
            self.said = ("serve: pixels go straight into each pixel file's mapping, registered with CUDA (page-locked)"
                         if f.registered else "serve: pixels are copied into each pixel file's mapping (%s)" % f.why_not)
            self._log(self.said)

    def close(self) -> None:
        while self._files:
            self._files.popitem()[1].close()


def _layout(pixels) -> List[Dict[str, int]]:
    """Where each of uint8 [N, H, W, 3] images lies in a pixel file that holds them one after the other."""
    n, h, w, c = pixels.shape
    size = h * w * c
    return [{"width": int(w), "height": int(h), "offset": k * size, "length": size} for k in range(n)]


def write_pixels(path: str, pixels) -> List[Dict[str, int]]:
    """The former way, kept for bench/pixel_trip.py's comparison: open, cut to exactly the batch's size, write()."""
    n, h, w, c = pixels.shape
    size = h * w * c
    with open(path, "r+b", buffering=0) as f:
        f.truncate(n * size)
        f.seek(0)
        view = memoryview(pixels.numpy()).cast("B")
        done = 0
        while done < len(view):
            done += f.write(view[done:])
    return _layout(pixels)
