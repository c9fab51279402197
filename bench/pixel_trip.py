"""The worker's side of a served image's pixel trip, CPU only: the former way (open the pixel file, cut it to the
batch, write() the pixels: serve.py before issue 20) against the way now (pixel_files.PixelFiles: the file mapped once
and kept, the pixels copied into the mapping), for one 768x768x3 uint8 image already on the host, into /dev/shm where
the machine has it. Prints P50 / P99 / max of each over REPEATS (default 500), microseconds. Where CUDA is available
it also times the trip from a uint8 image on the GPU: the former pinned buffer + write() against the copy into the
mapping registered with CUDA (and says if the registration failed). The whole serve overhead on a GPU is
bench/gpu-serve-overhead's.

  python3 bench/pixel_trip.py [REPEATS]
"""
import math
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src"))

import torch  # noqa: E402

from genbench_worker.pixel_files import PixelFiles, write_pixels  # noqa: E402

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 500
root = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
pixels = torch.randint(0, 256, (1, 768, 768, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


def rank(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p * len(s)) - 1)]


def timed(name, write):
    write()  # first use (the mapping's growth, page faults) is not what a served batch pays after
    us = []
    for _ in range(repeats):
        t = time.perf_counter_ns()
        write()
        us.append((time.perf_counter_ns() - t) / 1e3)
    print("  %-34s p50 %8.1f  p99 %8.1f  max %8.1f us  (n %d)" % (name, rank(us, .5), rank(us, .99), max(us), len(us)))


with tempfile.TemporaryDirectory(dir=root, prefix="genbench-pixel-trip-") as tmp:
    old, new = os.path.join(tmp, "old.rgb"), os.path.join(tmp, "new.rgb")
    for f in (old, new):
        open(f, "wb").close()
    files = PixelFiles(torch, None, log=lambda s: None)
    print("pixel trip, worker side, one 768x768x3 image into %s (torch %s, %d CPUs)" % (tmp, torch.__version__, os.cpu_count()))
    timed("open + truncate + write() (before)", lambda: write_pixels(old, pixels))
    timed("kept mapping, memmove (now)", lambda: files.write(new, pixels))
    with open(old, "rb") as a, open(new, "rb") as b:
        assert a.read() == b.read()[:768 * 768 * 3], "the two ways wrote different bytes"
    files.close()
    if torch.cuda.is_available():
        gpu = pixels.cuda()
        pinned = torch.empty(gpu.numel(), dtype=torch.uint8, pin_memory=True).view(gpu.shape)
        said = []
        files = PixelFiles(torch, torch.cuda.cudart(), log=said.append)

        def before():
            pinned.copy_(gpu, non_blocking=True)
            torch.cuda.current_stream().synchronize()
            write_pixels(old, pinned)

        print("from %s:" % torch.cuda.get_device_name())
        timed("pinned buffer + write() (before)", before)
        timed("mapping, copy from the GPU (now)", lambda: files.write(new, gpu))
        print("  (%s)" % said[0])
        with open(old, "rb") as a, open(new, "rb") as b:
            assert a.read() == b.read()[:768 * 768 * 3], "the two ways wrote different bytes"
        files.close()
