"""Scaled dot-product attention with a selectable kernel, and the diffusers-style ``Attention`` module.

Two backends:

* ``"sdpa"``: :func:`torch.nn.functional.scaled_dot_product_attention` (torch >= 2.0), which picks a fused
  flash / memory-efficient kernel on GPUs.
* ``"math"``: ``softmax(Q K^T / sqrt(d)) V`` written with ``matmul`` (exports cleanly to ONNX). It is also what
  ``"sdpa"`` falls back to when the running torch has no SDPA (torch 1.13).

The backend is chosen per module (``Attention.backend`` / any module with a ``backend`` attribute; see
:func:`set_backend`) and otherwise by the process-wide default (:func:`set_default_backend`).
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

BACKENDS = ("sdpa", "math")
HAS_SDPA = hasattr(F, "scaled_dot_product_attention")

_default_backend = "sdpa"


def set_default_backend(name: str) -> None:
    """Sets the backend used by modules whose own ``backend`` is None."""
    global _default_backend
    _default_backend = _check(name)


def default_backend() -> str:
    return _default_backend


def _check(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"unknown attention backend {name!r}; known: {', '.join(BACKENDS)}")
    return name


def resolve(backend: Optional[str]) -> str:
    """The backend actually used for ``backend`` (None = default): ``sdpa`` becomes ``math`` without SDPA."""
    name = _check(backend or _default_backend)
    if name == "sdpa" and not HAS_SDPA:
        return "math"
    return name


def set_backend(model: nn.Module, name: Optional[str]) -> nn.Module:
    """Sets the backend of every attention module inside ``model`` (None = follow the default)."""
    if name is not None:
        _check(name)
    for module in model.modules():
        if isinstance(module, AttentionKernel):
            module.backend = name
    return model


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, backend: Optional[str] = None, *,
           causal: bool = False, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Attention over ``[B, H, Lq, D]`` queries and ``[B, H, Lk, D]`` keys / values → ``[B, H, Lq, D]``.

    ``causal`` masks key ``j`` for query ``i`` when ``j > i + (Lk - Lq)`` (queries are the last ``Lq`` positions,
    as in a decode step with a KV cache). ``mask`` is an additive float mask broadcastable to ``[B, H, Lq, Lk]``;
    it is combined with ``causal``.
    """
    lq, lk = q.shape[-2], k.shape[-2]
    if resolve(backend) == "sdpa":
        if causal and mask is None and lq == lk:
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)
        if causal and lq == 1 and mask is None:
            return F.scaled_dot_product_attention(q, k, v)
        if causal:
            mask = _causal_mask(lq, lk, q.dtype, q.device) if mask is None else mask + _causal_mask(lq, lk, q.dtype, q.device)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q * scale, k.transpose(-1, -2))
    if causal:
        scores = scores + _causal_mask(lq, lk, scores.dtype, scores.device)
    if mask is not None:
        scores = scores + mask
    if scores.dtype in (torch.float16, torch.bfloat16):
        probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
    else:
        probs = torch.softmax(scores, dim=-1)
    return torch.matmul(probs, v)


def _causal_mask(lq: int, lk: int, dtype: torch.dtype, device) -> torch.Tensor:
    """Additive ``[Lq, Lk]`` mask: 0 where visible, the dtype's minimum where masked."""
    qpos = torch.arange(lq, device=device).unsqueeze(1) + (lk - lq)
    kpos = torch.arange(lk, device=device).unsqueeze(0)
    blocked = kpos > qpos
    return torch.zeros(lq, lk, dtype=dtype, device=device).masked_fill(blocked, torch.finfo(dtype).min)


class AttentionKernel(nn.Module):
    """Marker base class: a module whose attention kernel follows its ``backend`` attribute."""

    backend: Optional[str] = None


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    b, n, _ = x.shape
    return x.reshape(b, n, heads, -1).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


class Attention(AttentionKernel):
    """diffusers' ``Attention``: ``to_q``, ``to_k``, ``to_v``, ``to_out.0`` (plus ``group_norm`` in the VAE).

    With ``norm_num_groups`` set, the input is a feature map ``[B, C, H, W]``: it is group-normed, attended over
    its ``H*W`` positions and added back (the VAE mid-block attention). Otherwise the input is ``[B, L, C]``.
    """

    def __init__(self, query_dim: int, cross_attention_dim: Optional[int] = None, heads: int = 8,
                 dim_head: int = 64, bias: bool = False, out_bias: bool = True,
                 norm_num_groups: Optional[int] = None, eps: float = 1e-5):
        super().__init__()
        inner = heads * dim_head
        kv_dim = cross_attention_dim if cross_attention_dim is not None else query_dim
        self.heads = heads
        self.group_norm = nn.GroupNorm(norm_num_groups, query_dim, eps=eps) if norm_num_groups else None
        self.to_q = nn.Linear(query_dim, inner, bias=bias)
        self.to_k = nn.Linear(kv_dim, inner, bias=bias)
        self.to_v = nn.Linear(kv_dim, inner, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim, bias=out_bias), nn.Dropout(0.0)])

    def forward(self, x: torch.Tensor, context: Optional[torch.Tensor] = None) -> torch.Tensor:
        spatial = x.dim() == 4
        if spatial:
            residual = x
            b, c, h, w = x.shape
            if self.group_norm is not None:
                x = self.group_norm(x)
            x = x.reshape(b, c, h * w).transpose(1, 2)
        ctx = x if context is None else context
        q = split_heads(self.to_q(x), self.heads)
        k = split_heads(self.to_k(ctx), self.heads)
        v = split_heads(self.to_v(ctx), self.heads)
        out = self.to_out[0](merge_heads(attend(q, k, v, self.backend)))
        if spatial:
            out = out.transpose(1, 2).reshape(b, c, h, w) + residual
        return out
