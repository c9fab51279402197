"""CLIP text transformers (``CLIPTextModel`` / ``CLIPTextModelWithProjection`` of transformers) in plain PyTorch.

Names follow transformers: ``text_model.embeddings.token_embedding.weight``,
``text_model.encoder.layers.0.self_attn.q_proj.weight``, ``text_model.final_layer_norm.weight``,
``text_projection.weight``. Configurations:

* SD 1.5: CLIP ViT-L/14 text (hidden 768, 12 layers, quick_gelu), last hidden state (final LayerNorm applied).
* SD 2.1: OpenCLIP ViT-H text as shipped by diffusers (hidden 1024, 23 layers, gelu), last hidden state.
* SDXL: CLIP-L and OpenCLIP bigG (hidden 1280, 32 layers, gelu, ``text_projection`` 1280x1280), both giving their
  penultimate hidden states (no final LayerNorm); bigG's projected EOS-token state is the pooled embedding.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .attention import AttentionKernel, attend, merge_heads, split_heads


@dataclass(frozen=True)
class CLIPTextConfig:
    vocab_size: int = 49408
    hidden_size: int = 768
    intermediate_size: int = 3072
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    max_position_embeddings: int = 77
    hidden_act: str = "quick_gelu"
    layer_norm_eps: float = 1e-5
    projection_dim: Optional[int] = None  # set: CLIPTextModelWithProjection
    output: str = "last"  # "last" (final LayerNorm applied) or "penultimate" (hidden_states[-2], no LayerNorm)
    pooled: bool = False  # return the (projected) EOS-token embedding as the second output


class CLIPAttention(AttentionKernel):
    def __init__(self, c: CLIPTextConfig):
        super().__init__()
        d = c.hidden_size
        self.heads = c.num_attention_heads
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = (split_heads(p(x), self.heads) for p in (self.q_proj, self.k_proj, self.v_proj))
        return self.out_proj(merge_heads(attend(q, k, v, self.backend, causal=True)))


class CLIPMLP(nn.Module):
    def __init__(self, c: CLIPTextConfig):
        super().__init__()
        self.act = c.hidden_act
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.fc1(x)
        h = h * torch.sigmoid(1.702 * h) if self.act == "quick_gelu" else F.gelu(h)
        return self.fc2(h)


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c: CLIPTextConfig):
        super().__init__()
        self.self_attn = CLIPAttention(c)
        self.layer_norm1 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.mlp = CLIPMLP(c)
        self.layer_norm2 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, c: CLIPTextConfig):
        super().__init__()
        self.token_embedding = nn.Embedding(c.vocab_size, c.hidden_size)
        self.position_embedding = nn.Embedding(c.max_position_embeddings, c.hidden_size)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        n = input_ids.shape[-1]
        return self.token_embedding(input_ids) + self.position_embedding.weight[:n].unsqueeze(0)


class CLIPEncoder(nn.Module):
    def __init__(self, c: CLIPTextConfig):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(c) for _ in range(c.num_hidden_layers)])


class CLIPTextTransformer(nn.Module):
    def __init__(self, c: CLIPTextConfig):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(c)
        self.encoder = CLIPEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)


class CLIPTextModel(nn.Module):
    """``forward(input_ids [N,L]) → (hidden_states [N,L,D], pooled [N,P] or None)``.

    Every layer runs even when the penultimate output is used (as in the pipelines, which ask for all hidden
    states). The pooled output takes the EOS token at ``argmax(input_ids)`` (the EOS id is the largest id).
    """

    def __init__(self, config: CLIPTextConfig):
        super().__init__()
        self.config = config
        self.text_model = CLIPTextTransformer(config)
        if config.projection_dim is not None:
            self.text_projection = nn.Linear(config.hidden_size, config.projection_dim, bias=False)

    def forward(self, input_ids: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        tm = self.text_model
        x = tm.embeddings(input_ids)
        penultimate = x
        for layer in tm.encoder.layers:
            penultimate = x
            x = layer(x)
        last = tm.final_layer_norm(x)
        hidden = penultimate if self.config.output == "penultimate" else last
        pooled = None
        if self.config.pooled:
            eos = input_ids.argmax(dim=-1)
            pooled = last[torch.arange(last.shape[0], device=last.device), eos]
            if self.config.projection_dim is not None:
                pooled = self.text_projection(pooled)
        return hidden, pooled
