"""`bandwidth`: transfer bandwidth and latency between every pair of ranks (GPUs), and efficiency vs the link peak.

* `p2p` (every backend): for every ordered pair (i, j) rank i sends to rank j (one way), and for every pair both
  send at once (both ways; bandwidth = the bytes of both directions / time). Sizes 4 B … 1 GiB (×4; simulated:
  4 B … 64 KiB). Every received buffer is compared with what was sent, at every size. Each transfer is one
  `batch_isend_irecv` on a two-rank group of the pair (see `transfer_ops`: deadlock-free for any world size).
  Iterations per size: as many as fit `size_budget_s` (default 0.25 s) at the time of one probe transfer, at least
  3 and at most `iterations` (default 20), agreed by every rank; so the whole sweep to 1 GiB on 2 GPUs costs
  seconds, not minutes.
* `copy` (GPUs, rank 0 alone, every device visible to it): PyTorch's `dst.copy_(src)` from cuda:i to cuda:j, timed
  with a synchronisation of both devices (as the seed measured it).
* topology: `nvidia-smi topo -m` link per pair and peer-access status. The link peak is known only for NVLink
  (`NV#`: # links × 25 GB/s per direction from NVLink 2 on, 20 GB/s on NVLink 1); any other link gives no
  efficiency (null), never a guess.

The summary keeps the seed's keys: `peak_bandwidth_gb_s`, `latency_microseconds`, `efficiency_percent`.
"""
from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import time
from typing import Dict, List, Optional, Tuple

import torch
import torch.distributed as dist

from .context import Context, median

NVLINK_GB_S_PER_LINK = 25.0  # per direction, NVLink 2, 3 and 4 (V100, A100, H100 / H200)
NVLINK1_GB_S_PER_LINK = 20.0  # P100


def byte_sizes(min_bytes: int, max_bytes: int, factor: int) -> List[int]:
    out, s = [], max(1, min_bytes)
    while s <= max_bytes:
        out.append(s)
        s *= factor
    return out


def parse_topo(text: str) -> Dict[Tuple[int, int], str]:
    """`nvidia-smi topo -m` → {(i, j): "NV18" | "PIX" | "SYS" | ...} for GPU pairs.

    nvidia-smi underlines the header with terminal escapes (ESC[4m … ESC[0m) even into a pipe: they are dropped first,
    else the header's first GPU column goes unrecognised and every link into GPU0 reads "unknown".
    """
    links: Dict[Tuple[int, int], str] = {}
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return links
    header = lines[0].split()
    gpu_cols = [k for k, h in enumerate(header) if re.fullmatch(r"GPU\d+", h)]
    for line in lines[1:]:
        cells = line.split()
        if not cells or not re.fullmatch(r"GPU\d+", cells[0]):
            continue
        i = int(cells[0][3:])
        for k in gpu_cols:
            if k + 1 < len(cells):
                j = int(header[k][3:])
                if i != j:
                    links[(i, j)] = cells[k + 1]
    return links


def link_peak_gb_s(link: Optional[str], capability_major: int) -> Optional[float]:
    """One-direction peak of a link, or None when it is not an NVLink (PCIe paths: unknown, not guessed)."""
    m = re.fullmatch(r"NV(\d+)", link or "")
    if not m:
        return None
    per_link = NVLINK1_GB_S_PER_LINK if capability_major < 7 else NVLINK_GB_S_PER_LINK
    return int(m.group(1)) * per_link


def topology(ctx: Context) -> Dict[Tuple[int, int], str]:
    if not ctx.on_cuda or shutil.which("nvidia-smi") is None:
        return {}
    try:
        out = subprocess.run(["nvidia-smi", "topo", "-m"], capture_output=True, text=True, timeout=30)
        return parse_topo(out.stdout) if out.returncode == 0 else {}
    except Exception:  # noqa: BLE001 - no topology is a finding (efficiency null), not a failure
        return {}


def fill(nbytes: int, device, offset: int) -> torch.Tensor:
    """Byte i is (i + offset) mod 251, built from one 251-byte period (no 8-byte-per-element temporary at 1 GiB)."""
    period = ((torch.arange(251, dtype=torch.int64) + offset) % 251).to(torch.uint8).to(device)
    return period.repeat(-(-nbytes // 251))[:nbytes].contiguous()


def steps(world: int) -> List[Tuple[int, int, bool]]:
    """The transfers, in the order every rank walks them: (src, dst, both), every ordered pair one way, and every
    unordered pair (src < dst) both ways."""
    out = []
    for src in range(world):
        for dst in range(world):
            if src != dst:
                out.append((src, dst, False))
                if src < dst:
                    out.append((src, dst, True))
    return out


def transfer_ops(rank: int, src: int, dst: int, both: bool, send: torch.Tensor, recv: torch.Tensor, group=None):
    """This rank's part of one transfer as `P2POp`s, posted together by `batch_isend_irecv` (one NCCL group call).

    Both ways, each end posts its send and its receive in the same group, so neither waits for the other's send to
    finish first. Two separate calls (a blocking or merely queued send, then the receive) deadlock on NCCL once a
    message outgrows its buffers: both ranks' sends sit on the pair's one stream ahead of the receives they wait for.
    """
    if rank not in (src, dst):
        return []
    peer = dst if rank == src else src
    ops = []
    if rank == src or both:
        ops.append(dist.P2POp(dist.isend, send, peer, group))
    if rank == dst or both:
        ops.append(dist.P2POp(dist.irecv, recv, peer, group))
    return ops


def pair_groups(world: int) -> Dict[Tuple[int, int], object]:
    """A two-rank process group per unordered pair, created by every rank in the same order (new_group's rule).

    Batched P2P on a group needs every member in its first call; with a group of exactly the pair, that holds for
    any world size, and other pairs' traffic never shares its communicator."""
    return {(a, b): dist.new_group([a, b]) for a in range(world) for b in range(a + 1, world)}


def agree_iterations(ctx: Context, probe_ns: Optional[int], budget_ns: int, least: int, most: int) -> int:
    """Measured iterations for one size: as many as fit `budget_ns` at the probe's time, within [least, most].

    Both ends of a transfer must run the same count (an unmatched send hangs), so every rank takes the minimum;
    ranks outside the transfer offer `most`."""
    n = most if probe_ns is None else max(least, min(most, budget_ns // max(probe_ns, 1)))
    t = torch.tensor([int(n)], dtype=torch.int64, device=ctx.device)
    dist.all_reduce(t, op=dist.ReduceOp.MIN)
    return int(t.item())


def p2p(ctx: Context, sizes: List[int], warmup: int, iterations: int, budget_ns: int, least: int = 3):
    """Every ordered pair one way, every unordered pair both ways; every rank walks the same steps in step."""
    n, r, dev = ctx.world, ctx.rank, ctx.device
    groups = pair_groups(n)
    results = []
    for src, dst, both in steps(n):
        group = groups[(min(src, dst), max(src, dst))]
        involved = r in (src, dst)
        peer = dst if r == src else src if r == dst else None
        for nbytes in sizes:
            send = fill(nbytes, dev, 1 + r) if involved else None
            recv = torch.zeros(nbytes, dtype=torch.uint8, device=dev) if involved else None
            ops = transfer_ops(r, src, dst, both, send, recv, group)

            def op():
                for q in dist.batch_isend_irecv(ops):
                    q.wait()
            probe = None
            if involved:
                for _ in range(max(1, warmup)):
                    op()
                ctx.sync()
                t0 = ctx.now_ns()
                op()
                ctx.sync()
                probe = ctx.now_ns() - t0
            count = agree_iterations(ctx, probe, budget_ns, min(least, iterations), iterations)
            times = ctx.time_op(op, 0, count) if involved else [0]
            receiver = r == dst or (both and r == src)
            ok = (not receiver) or torch.equal(recv, fill(nbytes, dev, 1 + peer))
            ok = ctx.all_true(ok)
            t = ctx.slowest(median(times))
            moved = nbytes * (2 if both else 1)
            results.append(dict(method="p2p", src=src, dst=dst, direction="both" if both else "one",
                                bytes=nbytes, time_ns=max(t, 1), bandwidth_gb_s=moved / max(t, 1),
                                iterations=count, correct=bool(ok)))
            del send, recv, ops
    dist.barrier()
    return results


def copies(ctx: Context, sizes: List[int], warmup: int, iterations: int, budget_ns: int, least: int = 3):
    """Rank 0: `copy_` between every ordered pair of visible devices (one way), within the same time budget per size."""
    out = []
    count = torch.cuda.device_count()
    for i in range(count):
        for j in range(count):
            if i == j:
                continue
            for nbytes in sizes:
                a = fill(nbytes, torch.device("cuda", i), 3)
                b = torch.zeros(nbytes, dtype=torch.uint8, device=torch.device("cuda", j))
                times: List[int] = []
                k, limit = 0, warmup + iterations
                while k < limit:
                    torch.cuda.synchronize(i)
                    torch.cuda.synchronize(j)
                    t0 = time.perf_counter_ns()
                    b.copy_(a)
                    torch.cuda.synchronize(i)
                    torch.cuda.synchronize(j)
                    took = time.perf_counter_ns() - t0
                    if k == warmup:  # the first measured copy sets how many fit the budget
                        limit = warmup + max(min(least, iterations), min(iterations, budget_ns // max(took, 1)))
                    if k >= warmup:
                        times.append(took)
                    k += 1
                t = max(1, int(statistics.median(times)))
                out.append(dict(method="copy", src=i, dst=j, direction="one", bytes=nbytes, time_ns=t,
                                bandwidth_gb_s=nbytes / t, iterations=len(times),
                                correct=bool(torch.equal(b.cpu(), a.cpu()))))
                del a, b
    return out


def run(ctx: Context) -> None:
    c = ctx.config
    small = ctx.simulate
    sizes = byte_sizes(int(c.get("min_bytes", 4)), int(c.get("max_bytes", 64 * 1024 if small else 1 << 30)),
                       int(c.get("factor", 16 if small else 4)))
    warmup = int(c.get("warmup", 1 if small else 3))
    iterations = int(c.get("iterations", 3 if small else 20))
    # per size and transfer: as many iterations as fit this budget (at least 3), so 1 GiB costs ~3 ms × a few, 4 B 20
    budget_ns = int(float(c.get("size_budget_s", 0.05 if small else 0.25)) * 1e9)
    links = topology(ctx)
    major = torch.cuda.get_device_capability(ctx.device)[0] if ctx.on_cuda else 0
    for i in range(ctx.world):
        for j in range(ctx.world):
            if i == j:
                continue
            link = links.get((i, j))
            peer = bool(torch.cuda.can_device_access_peer(i, j)) if ctx.on_cuda and ctx.rank == 0 else None
            ctx.record("link", src=i, dst=j, link=link, peak_gb_s=link_peak_gb_s(link, major), peer_access=peer)
    rows = p2p(ctx, sizes, warmup, iterations, budget_ns)
    if ctx.on_cuda and not c.get("skip_copy") and ctx.rank == 0 and torch.cuda.device_count() >= ctx.world:
        rows += copies(ctx, sizes, warmup, iterations, budget_ns)
    dist.barrier()
    for row in rows:
        ctx.record("transfer", **row)
    if ctx.rank != 0:
        return
    one_way = [x for x in rows if x["direction"] == "one"]
    smallest = min(sizes)
    latency = [x["time_ns"] for x in one_way if x["bytes"] == smallest and x["method"] == "p2p"]
    peak = max((x["bandwidth_gb_s"] for x in one_way), default=None)
    best = max(one_way, key=lambda x: x["bandwidth_gb_s"]) if one_way else None
    link_peak = link_peak_gb_s(links.get((best["src"], best["dst"])), major) if best else None
    ctx.record("bandwidth_summary", peak_bandwidth_gb_s=peak,
               latency_microseconds=statistics.median(latency) / 1000.0 if latency else None,
               latency_bytes=smallest,
               efficiency_percent=100.0 * peak / link_peak if peak and link_peak else None,
               link_peak_gb_s=link_peak, peak_method=best["method"] if best else None,
               correct=all(x["correct"] for x in rows))
