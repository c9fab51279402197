"""``OPTForCausalLM`` (facebook/opt-125m ... opt-13b) with a KV cache, in plain PyTorch.

Names follow transformers: ``model.decoder.embed_tokens.weight``, ``model.decoder.embed_positions.weight``
(learned, offset 2), ``model.decoder.layers.0.self_attn.q_proj.weight``, ``model.decoder.final_layer_norm``,
``lm_head.weight`` (tied to ``embed_tokens``, so counted once). opt-350m's post-LayerNorm layers and its
512-wide embeddings with ``project_in`` / ``project_out`` are covered by the config.

Caches: ``past_key_values`` is None, a tuple of per-layer ``(k, v)`` tensors ``[B, H, T, D]`` (returned grown by
the new tokens) or a :class:`StaticKVCache`, preallocated to a maximum length and written in place (fixed
shapes and addresses: what CUDA graphs need).

Two ways to decode over a static cache:

* ``forward(ids, past_key_values=cache)``: exact; attends over the ``cache.length + t`` valid tokens only, the same
  kernels and shapes as the growing tuple cache (each step has its own key length).
* ``decode_static(ids, cache, position, mask)``: one token per sequence written at the device tensor ``position``,
  attention over the whole cache with an additive ``mask`` hiding the unwritten tail (:func:`static_mask`), as
  transformers' static cache does: one shape for every step, so ``torch.compile`` compiles it once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from .attention import AttentionKernel, attend, merge_heads, split_heads

POSITION_OFFSET = 2


@dataclass(frozen=True)
class OPTConfig:
    vocab_size: int = 50272
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    ffn_dim: int = 3072
    max_position_embeddings: int = 2048
    word_embed_proj_dim: Optional[int] = None  # None = hidden_size
    do_layer_norm_before: bool = True
    activation_function: str = "relu"
    layer_norm_eps: float = 1e-5

    @property
    def embed_dim(self) -> int:
        return self.word_embed_proj_dim or self.hidden_size


class StaticKVCache:
    """Per-layer key / value buffers ``[B, H, max_length, D]`` filled in place; ``length`` tokens are valid."""

    def __init__(self, config: OPTConfig, batch: int, max_length: int, device=None, dtype=torch.float32):
        h = config.num_attention_heads
        d = config.hidden_size // h
        self.max_length = max_length
        self.keys = [torch.zeros(batch, h, max_length, d, device=device, dtype=dtype)
                     for _ in range(config.num_hidden_layers)]
        self.values = [torch.zeros_like(k) for k in self.keys]
        self.length = 0

    def reset(self) -> None:
        self.length = 0


Cache = Union[None, Tuple[Tuple[torch.Tensor, torch.Tensor], ...], StaticKVCache]


class OPTAttention(AttentionKernel):
    def __init__(self, c: OPTConfig):
        super().__init__()
        d = c.hidden_size
        self.heads = c.num_attention_heads
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor, layer: int, past: Cache, start: int,
                position: Optional[torch.Tensor] = None, mask: Optional[torch.Tensor] = None):
        q = split_heads(self.q_proj(x), self.heads)
        k = split_heads(self.k_proj(x), self.heads)
        v = split_heads(self.v_proj(x), self.heads)
        present = None
        if position is not None:  # decode_static: write at a device position, attend over the masked whole cache
            past.keys[layer].index_copy_(2, position, k)
            past.values[layer].index_copy_(2, position, v)
            out = attend(q, past.keys[layer], past.values[layer], self.backend, mask=mask)
            return self.out_proj(merge_heads(out)), None
        if isinstance(past, StaticKVCache):
            end = start + x.shape[1]
            past.keys[layer][:, :, start:end] = k
            past.values[layer][:, :, start:end] = v
            k, v = past.keys[layer][:, :, :end], past.values[layer][:, :, :end]
        else:
            if past is not None:
                k = torch.cat([past[layer][0], k], dim=2)
                v = torch.cat([past[layer][1], v], dim=2)
            present = (k, v)
        out = attend(q, k, v, self.backend, causal=True)
        return self.out_proj(merge_heads(out)), present


class OPTDecoderLayer(nn.Module):
    def __init__(self, c: OPTConfig):
        super().__init__()
        self.pre_ln = c.do_layer_norm_before
        self.act = c.activation_function
        self.self_attn = OPTAttention(c)
        self.self_attn_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.fc1 = nn.Linear(c.hidden_size, c.ffn_dim)
        self.fc2 = nn.Linear(c.ffn_dim, c.hidden_size)
        self.final_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x: torch.Tensor, layer: int, past: Cache, start: int,
                position: Optional[torch.Tensor] = None, mask: Optional[torch.Tensor] = None):
        h = self.self_attn_layer_norm(x) if self.pre_ln else x
        h, present = self.self_attn(h, layer, past, start, position, mask)
        x = x + h
        if not self.pre_ln:
            x = self.self_attn_layer_norm(x)
        h = self.final_layer_norm(x) if self.pre_ln else x
        h = self.fc1(h)
        h = F.relu(h) if self.act == "relu" else F.gelu(h)
        x = x + self.fc2(h)
        if not self.pre_ln:
            x = self.final_layer_norm(x)
        return x, present


class OPTDecoder(nn.Module):
    def __init__(self, c: OPTConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.embed_dim)
        self.embed_positions = nn.Embedding(c.max_position_embeddings + POSITION_OFFSET, c.hidden_size)
        if c.embed_dim != c.hidden_size:
            self.project_out = nn.Linear(c.hidden_size, c.embed_dim, bias=False)
            self.project_in = nn.Linear(c.embed_dim, c.hidden_size, bias=False)
        else:
            self.project_out = self.project_in = None
        # transformers drops the final LayerNorm for post-LN models (opt-350m)
        self.final_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps) if c.do_layer_norm_before else None
        self.layers = nn.ModuleList([OPTDecoderLayer(c) for _ in range(c.num_hidden_layers)])


class OPTModel(nn.Module):
    def __init__(self, c: OPTConfig):
        super().__init__()
        self.decoder = OPTDecoder(c)


class OPTForCausalLM(nn.Module):
    """``forward(input_ids [B,T], past_key_values=None, use_cache=True) → (logits [B,T,V], past_key_values)``.

    Positions continue from the cache length (no padding support: every sequence of the batch has the same
    length). With a :class:`StaticKVCache` the returned cache is the same object, its ``length`` advanced.
    """

    def __init__(self, config: OPTConfig):
        super().__init__()
        self.config = config
        self.model = OPTModel(config)
        self.lm_head = nn.Linear(config.embed_dim, config.vocab_size, bias=False)
        self.tie_weights()

    def tie_weights(self) -> None:
        self.lm_head.weight = self.model.decoder.embed_tokens.weight

    def new_static_cache(self, batch: int, max_length: Optional[int] = None) -> StaticKVCache:
        p = self.lm_head.weight
        return StaticKVCache(self.config, batch, max_length or self.config.max_position_embeddings,
                             device=p.device, dtype=p.dtype)

    def forward(self, input_ids: torch.Tensor, past_key_values: Cache = None, use_cache: bool = True):
        dec = self.model.decoder
        t = input_ids.shape[1]
        if isinstance(past_key_values, StaticKVCache):
            start = past_key_values.length
            if start + t > past_key_values.max_length:
                raise ValueError(f"static cache holds {past_key_values.max_length} tokens; "
                                 f"{start} + {t} do not fit")
        elif past_key_values is not None:
            start = past_key_values[0][0].shape[2]
        else:
            start = 0
        if start + t > self.config.max_position_embeddings:
            raise ValueError(f"sequence of {start + t} tokens exceeds max_position_embeddings "
                             f"{self.config.max_position_embeddings}")
        x = dec.embed_tokens(input_ids)
        if dec.project_in is not None:
            x = dec.project_in(x)
        positions = torch.arange(start, start + t, device=input_ids.device) + POSITION_OFFSET
        x = x + dec.embed_positions(positions).unsqueeze(0)
        presents: List = []
        for i, layer in enumerate(dec.layers):
            x, present = layer(x, i, past_key_values, start)
            presents.append(present)
        logits = self._logits(x)
        if not use_cache:
            return logits, None
        if isinstance(past_key_values, StaticKVCache):
            past_key_values.length = start + t
            return logits, past_key_values
        return logits, tuple(presents)

    def decode_static(self, input_ids: torch.Tensor, cache: StaticKVCache, position: torch.Tensor,
                      mask: torch.Tensor) -> torch.Tensor:
        """One decode step of ``input_ids [B, 1]`` at ``position`` (a device tensor ``[1]``, the new token's index in
        the cache) over the whole ``cache`` with ``mask`` (:func:`static_mask`) → logits ``[B, 1, V]``. Every shape is
        the same at every step; ``cache.length`` is left alone (the caller knows where it is)."""
        dec = self.model.decoder
        x = dec.embed_tokens(input_ids)
        if dec.project_in is not None:
            x = dec.project_in(x)
        x = x + dec.embed_positions(position + POSITION_OFFSET).unsqueeze(0)
        for i, layer in enumerate(dec.layers):
            x, _ = layer(x, i, cache, 0, position, mask)
        return self._logits(x)

    def _logits(self, x: torch.Tensor) -> torch.Tensor:
        dec = self.model.decoder
        if dec.final_layer_norm is not None:
            x = dec.final_layer_norm(x)
        if dec.project_out is not None:
            x = dec.project_out(x)
        return self.lm_head(x)


def static_mask(max_length: int, position: int, dtype=torch.float32, device=None) -> torch.Tensor:
    """The additive mask ``[1, 1, 1, max_length]`` of a decode step at ``position``: 0 for the cache entries written
    so far (``<= position``), the dtype's minimum for the rest."""
    blocked = torch.arange(max_length, device=device) > position
    mask = torch.zeros(max_length, dtype=dtype, device=device).masked_fill(blocked, torch.finfo(dtype).min)
    return mask.view(1, 1, 1, max_length)
