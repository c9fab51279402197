"""`collectives`: all-reduce, all-gather, reduce-scatter, broadcast, all-to-all and send/recv over a size sweep.

Sizes follow nccl-tests' "size" column: the bytes of the buffer each rank holds (all-gather: the gathered output;
reduce-scatter: the input before scattering). Every size of every operation is first run once on rank- and
position-dependent fills and compared exactly with the known result, then timed (warm-up, then each iteration;
the median of the slowest rank is reported), then checked once more. Bandwidth arithmetic (algbw, busbw) is done
by the controller from `bytes` and `time_ns`, with nccl-tests' definitions.

gloo (under --simulate) has no reduce-scatter and no flat all-gather: reduce-scatter is then an all-reduce of the
whole buffer plus a slice (`emulated: true`; the timing is not that of a reduce-scatter) and all-gather uses the
list form.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Tuple

import torch
import torch.distributed as dist

from .context import Context, median

OPERATIONS = ("all_reduce", "all_gather", "reduce_scatter", "broadcast", "all_to_all", "send_recv")

DTYPE = torch.float32
ELEMENT = 4


def sizes(min_bytes: int, max_bytes: int, factor: int, world: int) -> List[int]:
    """min, min·f, … ≤ max, each rounded down to whole float32 elements divisible by the world size (≥ one each)."""
    unit = ELEMENT * world
    out, size = [], max(min_bytes, 1)
    while size <= max_bytes:
        rounded = max(unit, size // unit * unit)
        if rounded not in out:
            out.append(rounded)
        size *= factor
    return out


def pattern(n: int, device, offset: float = 0.0, start: int = 0) -> torch.Tensor:
    """offset + ((start + i) mod 13): small integers, exact in float32 when summed over ranks."""
    return (torch.arange(start, start + n, device=device, dtype=torch.int64) % 13).to(DTYPE) + offset


class Case:
    """Buffers and the three callables of one operation at one size: prepare (fill), run, expected-check."""

    def __init__(self, prepare: Callable[[], None], run: Callable[[], None], check: Callable[[], bool],
                 emulated: bool = False):
        self.prepare, self.run, self.check, self.emulated = prepare, run, check, emulated


def build(op: str, nbytes: int, ctx: Context) -> Case:
    n, r, dev = ctx.world, ctx.rank, ctx.device
    count = nbytes // ELEMENT
    chunk = count // n
    flat = ctx.backend == "nccl" and hasattr(dist, "all_gather_into_tensor")

    if op == "all_reduce":
        buf = torch.empty(count, dtype=DTYPE, device=dev)
        expected = pattern(count, dev) * n + n * (n + 1) / 2

        def prepare():
            buf.copy_(pattern(count, dev, r + 1))
        return Case(prepare, lambda: dist.all_reduce(buf), lambda: torch.equal(buf, expected))

    if op == "all_gather":
        src = torch.empty(chunk, dtype=DTYPE, device=dev)
        out = torch.empty(count, dtype=DTYPE, device=dev)
        expected = torch.cat([pattern(chunk, dev, k + 1) for k in range(n)])
        if flat:
            run = lambda: dist.all_gather_into_tensor(out, src)  # noqa: E731
        else:

            def run():
                gathered = [torch.empty_like(src) for _ in range(n)]
                dist.all_gather(gathered, src)
                torch.cat(gathered, out=out)
        return Case(lambda: src.copy_(pattern(chunk, dev, r + 1)), run, lambda: torch.equal(out, expected))

    if op == "reduce_scatter":
        src = torch.empty(count, dtype=DTYPE, device=dev)
        out = torch.empty(chunk, dtype=DTYPE, device=dev)
        expected = pattern(chunk, dev, start=r * chunk) * n + n * (n + 1) / 2
        if flat and hasattr(dist, "reduce_scatter_tensor"):
            run, emulated = (lambda: dist.reduce_scatter_tensor(out, src)), False
        else:
            def run():
                dist.all_reduce(src)
                out.copy_(src[r * chunk:(r + 1) * chunk])
            emulated = True
        return Case(lambda: src.copy_(pattern(count, dev, r + 1)), run, lambda: torch.equal(out, expected), emulated)

    if op == "broadcast":
        buf = torch.empty(count, dtype=DTYPE, device=dev)
        expected = pattern(count, dev, 42.0)

        def prepare():
            buf.copy_(expected if r == 0 else torch.zeros_like(buf))
        return Case(prepare, lambda: dist.broadcast(buf, 0), lambda: torch.equal(buf, expected))

    if op == "all_to_all":
        src = torch.empty(count, dtype=DTYPE, device=dev)
        out = torch.empty(count, dtype=DTYPE, device=dev)
        # rank s sends chunk d = 100·s + d + pattern to rank d; rank r receives chunk s from rank s
        expected = torch.cat([pattern(chunk, dev, 100.0 * s + r) for s in range(n)])

        def prepare():
            src.copy_(torch.cat([pattern(chunk, dev, 100.0 * r + d) for d in range(n)]))
            out.zero_()
        return Case(prepare, lambda: dist.all_to_all_single(out, src), lambda: torch.equal(out, expected))

    if op == "send_recv":
        # pairs (0,1), (2,3), …: even ranks send, odd ranks receive; a lone last rank idles
        buf = torch.empty(count, dtype=DTYPE, device=dev)
        peer = r + 1 if r % 2 == 0 else r - 1
        active = peer < n
        expected = pattern(count, dev, 7.0 + (r - 1))

        def prepare():
            buf.copy_(pattern(count, dev, 7.0 + r) if r % 2 == 0 else torch.zeros_like(buf))

        def run():
            if not active:
                return
            if r % 2 == 0:
                dist.send(buf, peer)
            else:
                dist.recv(buf, peer)
        return Case(prepare, run, lambda: (not active) or r % 2 == 0 or torch.equal(buf, expected))

    raise ValueError("unknown operation %r; known: %s" % (op, ", ".join(OPERATIONS)))


def run(ctx: Context) -> None:
    c = ctx.config
    small = ctx.simulate
    ops = c.get("operations") or list(OPERATIONS)
    unknown = [o for o in ops if o not in OPERATIONS]
    if unknown:
        raise ValueError("unknown operation(s) %s; known: %s" % (", ".join(unknown), ", ".join(OPERATIONS)))
    sweep = sizes(int(c.get("min_bytes", 1024 if small else 8)), int(c.get("max_bytes", 64 * 1024 if small else 1 << 30)),
                  int(c.get("factor", 4 if small else 2)), ctx.world)
    warmup = int(c.get("warmup", 2 if small else 5))
    iterations = int(c.get("iterations", 5 if small else 20))
    for op in ops:
        if op == "send_recv" and ctx.world < 2:
            ctx.record("skipped", operation=op, reason="send/recv needs at least 2 ranks")
            continue
        for nbytes in sweep:
            case = build(op, nbytes, ctx)
            case.prepare()
            case.run()
            ctx.sync()
            before = ctx.all_true(case.check())
            times = ctx.time_op(case.run, warmup, iterations)
            case.prepare()
            case.run()
            ctx.sync()
            after = ctx.all_true(case.check())
            time_ns = ctx.slowest(median(times))
            ctx.record("collective", operation=op, bytes=nbytes, ranks=ctx.world, time_ns=max(time_ns, 1),
                       min_ns=ctx.slowest(min(times)), iterations=iterations, warmup=warmup,
                       correct=bool(before and after), emulated=case.emulated, dtype="float32")
