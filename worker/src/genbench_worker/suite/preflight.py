"""Interconnect pre-flight, recorded before every multi-rank experiment (record kind `preflight`, rank 0).

What it records, all as found (nothing is guessed):
* `links`: `nvidia-smi topo -m`'s link of every ordered GPU pair among the ranks' devices (NV#, PIX, PXB, PHB,
  NODE, SYS), with its one-direction peak where it is an NVLink (bandwidth.link_peak_gb_s), else null;
* `peer_access`: torch.cuda.can_device_access_peer for every ordered pair (null on CPU);
* `min_link_peak_gb_s`: the slowest known NVLink peak between any two ranks (null when any pair's peak is unknown:
  the controller then cannot judge a figure against it);
* `nccl_env`: every NCCL_* and TORCH_NCCL_* variable set (e.g. NCCL_NVLS_ENABLE=0, NCCL_P2P_DISABLE=1), the NCCL
  and torch versions, the process-group backend.

The controller marks collective and transfer figures `suspect` when they fall far under `min_link_peak_gb_s`
(README, "Multi-GPU suite"). A topology that cannot be read is a finding (`topology_error`), not a failure.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from typing import Dict, Optional, Tuple

import torch

from .bandwidth import link_peak_gb_s, parse_topo
from .context import Context

ENV_PREFIXES = ("NCCL_", "TORCH_NCCL_")


def nccl_env(environ=None) -> Dict[str, str]:
    env = os.environ if environ is None else environ
    return {k: env[k] for k in sorted(env) if k.startswith(ENV_PREFIXES)}


def read_topology() -> Tuple[Dict[Tuple[int, int], str], Optional[str]]:
    if shutil.which("nvidia-smi") is None:
        return {}, "nvidia-smi not found"
    try:
        out = subprocess.run(["nvidia-smi", "topo", "-m"], capture_output=True, text=True, timeout=30)
    except Exception as e:  # noqa: BLE001 - a finding, not a failure
        return {}, "nvidia-smi topo -m: %s" % e
    if out.returncode != 0:
        return {}, "nvidia-smi topo -m exited %d: %s" % (out.returncode, out.stderr.strip()[:200])
    return parse_topo(out.stdout), None


def summary(world: int, links: Dict[Tuple[int, int], str], capability_major: int, peer) -> dict:
    pairs = []
    for i in range(world):
        for j in range(world):
            if i != j:
                link = links.get((i, j))
                pairs.append(dict(src=i, dst=j, link=link, peak_gb_s=link_peak_gb_s(link, capability_major),
                                  peer_access=peer(i, j)))
    peaks = [p["peak_gb_s"] for p in pairs]
    known = bool(peaks) and all(p is not None for p in peaks)
    return dict(pairs=pairs, min_link_peak_gb_s=min(peaks) if known else None,
                links=",".join(sorted({p["link"] or "unknown" for p in pairs})) or None)


def run(ctx: Context) -> dict:
    """Rank 0 records the pre-flight; every rank returns without a collective (nothing here can hang)."""
    if ctx.rank != 0:
        return {}
    error = None
    if ctx.on_cuda:
        links, error = read_topology()
        major = torch.cuda.get_device_capability(ctx.device)[0]
        peer = lambda i, j: bool(torch.cuda.can_device_access_peer(i, j))  # noqa: E731
    else:
        links, major, peer = {}, 0, (lambda i, j: None)
        error = "no GPUs (%s backend): no interconnect to inspect" % ctx.backend
    found = summary(ctx.world, links, major, peer)
    nccl_version = None
    if ctx.on_cuda:
        try:
            v = torch.cuda.nccl.version()
            nccl_version = ".".join(map(str, v)) if isinstance(v, tuple) else str(v)
        except Exception:  # noqa: BLE001
            nccl_version = None
    data = dict(world_size=ctx.world, backend=ctx.backend, links=found["links"],
                min_link_peak_gb_s=found["min_link_peak_gb_s"],
                peer_access_all=None if not ctx.on_cuda else all(p["peer_access"] for p in found["pairs"]),
                pairs=found["pairs"], nccl_env=nccl_env(), nccl_version=nccl_version, torch_version=torch.__version__,
                topology_error=error)
    ctx.record("preflight", **data)
    return data
