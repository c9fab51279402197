"""UNet2DConditionModel (Stable Diffusion 1.5 / 2.1 / XL) in plain PyTorch.

Module and parameter names follow diffusers (``down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight``,
``time_embedding.linear_1.weight``, ``add_embedding.linear_1.weight``...), so a diffusers ``unet`` state_dict
loads by name. Parameter counts equal diffusers' for the public configurations (see ``registry``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
from torch import nn

from .blocks import (BasicTransformerBlock, DownBlock, IntOrTuple, MidBlock, PerBlockConfig, ResnetBlock2D,
                     TimestepEmbedding, Timesteps, UpBlock, as_timesteps, chained_channels, down_levels, run_levels,
                     skip_joined_channels, up_levels)


@dataclass(frozen=True)
class UNet2DConfig(PerBlockConfig):
    """The subset of diffusers' ``UNet2DConditionModel`` config that shapes SD 1.5 / 2.1 / XL.

    ``attention_head_dim`` keeps diffusers' historical meaning: when ``num_attention_heads`` is None it is the
    *number of heads* per block (SD 2.1: (5, 10, 20, 20) heads of 64 channels).
    """
    in_channels: int = 4
    out_channels: int = 4
    block_out_channels: Tuple[int, ...] = (320, 640, 1280, 1280)
    down_block_types: Tuple[str, ...] = ("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                         "DownBlock2D")
    up_block_types: Tuple[str, ...] = ("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
    layers_per_block: int = 2
    transformer_layers_per_block: IntOrTuple = 1
    attention_head_dim: IntOrTuple = 8
    num_attention_heads: Optional[IntOrTuple] = None
    cross_attention_dim: int = 768
    use_linear_projection: bool = False
    norm_num_groups: int = 32
    norm_eps: float = 1e-5
    addition_embed_type: Optional[str] = None  # "text_time" for SDXL
    addition_time_embed_dim: Optional[int] = None
    projection_class_embeddings_input_dim: Optional[int] = None
    flip_sin_to_cos: bool = True
    freq_shift: int = 0

    def heads(self) -> Tuple[int, ...]:
        return self.per_block(self.num_attention_heads if self.num_attention_heads is not None
                              else self.attention_head_dim)


# ---------------------------------------------------------------------------------------------- transformer

class Transformer2DModel(nn.Module):
    """GroupNorm, ``proj_in`` (1x1 conv or linear), transformer blocks over H*W tokens, ``proj_out``, residual."""

    def __init__(self, heads: int, dim_head: int, in_channels: int, num_layers: int, cross_attention_dim: int,
                 use_linear_projection: bool, groups: int = 32):
        super().__init__()
        inner = heads * dim_head
        self.use_linear_projection = use_linear_projection
        self.norm = nn.GroupNorm(groups, in_channels, eps=1e-6)
        if use_linear_projection:
            self.proj_in = nn.Linear(in_channels, inner)
        else:
            self.proj_in = nn.Conv2d(in_channels, inner, 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(inner, heads, dim_head, cross_attention_dim) for _ in range(num_layers)])
        if use_linear_projection:
            self.proj_out = nn.Linear(inner, in_channels)
        else:
            self.proj_out = nn.Conv2d(inner, in_channels, 1)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        residual = x
        b, c, h, w = x.shape
        x = self.norm(x)
        if self.use_linear_projection:
            x = self.proj_in(x.permute(0, 2, 3, 1).reshape(b, h * w, c))
        else:
            x = self.proj_in(x)
            x = x.permute(0, 2, 3, 1).reshape(b, h * w, x.shape[1])
        for block in self.transformer_blocks:
            x = block(x, context)
        if self.use_linear_projection:
            x = self.proj_out(x)
            x = x.reshape(b, h, w, x.shape[-1]).permute(0, 3, 1, 2)
        else:
            x = x.reshape(b, h, w, x.shape[-1]).permute(0, 3, 1, 2)
            x = self.proj_out(x)
        # The residual first: a sum takes its first operand's layout, and x is a channels_last view of the tokens.
        # x + residual made every activation after the first transformer channels_last in a contiguous UNet, so each
        # later CUDA GroupNorm copied its input and the residual sums mixed layouts (diffusers copies x with
        # .contiguous() instead). Same values: the sum is elementwise either way.
        return residual + x


# ---------------------------------------------------------------------------------------------- levels

def _resnets(channels, temb_channels: int, groups: int, eps: float):
    return [ResnetBlock2D(i, o, temb_channels, groups, eps) for i, o in channels]


def _transformers(out_channels: int, num_layers: int, groups: int, heads: int, transformer_layers: int,
                  cross_attention_dim: int, use_linear_projection: bool):
    return [Transformer2DModel(heads, out_channels // heads, out_channels, transformer_layers, cross_attention_dim,
                               use_linear_projection, groups) for _ in range(num_layers)]


class DownBlock2D(DownBlock):
    def __init__(self, in_channels: int, out_channels: int, temb_channels: int, num_layers: int,
                 add_downsample: bool, groups: int, eps: float, **_):
        super().__init__(_resnets(chained_channels(in_channels, out_channels, num_layers), temb_channels, groups, eps),
                         downsample=out_channels if add_downsample else None)


class CrossAttnDownBlock2D(DownBlock):
    def __init__(self, in_channels: int, out_channels: int, temb_channels: int, num_layers: int,
                 add_downsample: bool, groups: int, eps: float, **attention):
        super().__init__(_resnets(chained_channels(in_channels, out_channels, num_layers), temb_channels, groups, eps),
                         _transformers(out_channels, num_layers, groups, **attention),
                         downsample=out_channels if add_downsample else None)


class UpBlock2D(UpBlock):
    def __init__(self, in_channels: int, prev_output_channel: int, out_channels: int, temb_channels: int,
                 num_layers: int, add_upsample: bool, groups: int, eps: float, **_):
        channels = skip_joined_channels(in_channels, prev_output_channel, out_channels, num_layers)
        super().__init__(_resnets(channels, temb_channels, groups, eps),
                         upsample=out_channels if add_upsample else None)


class CrossAttnUpBlock2D(UpBlock):
    def __init__(self, in_channels: int, prev_output_channel: int, out_channels: int, temb_channels: int,
                 num_layers: int, add_upsample: bool, groups: int, eps: float, **attention):
        channels = skip_joined_channels(in_channels, prev_output_channel, out_channels, num_layers)
        super().__init__(_resnets(channels, temb_channels, groups, eps),
                         _transformers(out_channels, num_layers, groups, **attention),
                         upsample=out_channels if add_upsample else None)


class UNetMidBlock2DCrossAttn(MidBlock):
    def __init__(self, channels: int, temb_channels: int, groups: int, eps: float, **attention):
        super().__init__(_transformers(channels, 1, groups, **attention)[0],
                         _resnets(chained_channels(channels, channels, 2), temb_channels, groups, eps))


_DOWN = {"DownBlock2D": DownBlock2D, "CrossAttnDownBlock2D": CrossAttnDownBlock2D}
_UP = {"UpBlock2D": UpBlock2D, "CrossAttnUpBlock2D": CrossAttnUpBlock2D}


# ---------------------------------------------------------------------------------------------- model

class UNet2DConditionModel(nn.Module):
    """``forward(sample [N,C,h,w], timestep, encoder_hidden_states [N,L,D], added_cond_kwargs=None) → [N,C',h,w]``.

    ``added_cond_kwargs`` (``addition_embed_type="text_time"``, SDXL) = ``{"text_embeds": [N,1280],
    "time_ids": [N,6]}``. ``timestep`` may be a number, a 0-d or a ``[N]`` tensor.
    """

    def __init__(self, config: UNet2DConfig):
        super().__init__()
        c = config
        self.config = c
        boc = c.block_out_channels
        temb = boc[0] * 4
        heads = c.heads()
        layers = c.per_block(c.transformer_layers_per_block)
        groups, eps = c.norm_num_groups, c.norm_eps

        self.conv_in = nn.Conv2d(c.in_channels, boc[0], 3, padding=1)
        self.time_proj = Timesteps(boc[0], c.flip_sin_to_cos, c.freq_shift)
        self.time_embedding = TimestepEmbedding(boc[0], temb)
        if c.addition_embed_type == "text_time":
            self.add_time_proj = Timesteps(c.addition_time_embed_dim, c.flip_sin_to_cos, c.freq_shift)
            self.add_embedding = TimestepEmbedding(c.projection_class_embeddings_input_dim, temb)
        elif c.addition_embed_type is not None:
            raise ValueError(f"unsupported addition_embed_type {c.addition_embed_type!r}")

        def attention(level: int) -> dict:
            return dict(heads=heads[level], transformer_layers=layers[level],
                        cross_attention_dim=c.cross_attention_dim, use_linear_projection=c.use_linear_projection)

        self.down_blocks = nn.ModuleList([
            _DOWN[kind](in_channels=in_ch, out_channels=out_ch, temb_channels=temb, num_layers=c.layers_per_block,
                        add_downsample=down, groups=groups, eps=eps, **attention(i))
            for i, (kind, (in_ch, out_ch, down)) in enumerate(zip(c.down_block_types, down_levels(boc)))])
        self.mid_block = UNetMidBlock2DCrossAttn(boc[-1], temb, groups, eps, **attention(-1))
        deepest_first = len(boc) - 1
        self.up_blocks = nn.ModuleList([
            _UP[kind](in_channels=in_ch, prev_output_channel=prev, out_channels=out_ch, temb_channels=temb,
                      num_layers=c.layers_per_block + 1, add_upsample=up, groups=groups, eps=eps,
                      **attention(deepest_first - i))
            for i, (kind, (in_ch, prev, out_ch, up)) in enumerate(zip(c.up_block_types, up_levels(boc)))])

        self.conv_norm_out = nn.GroupNorm(groups, boc[0], eps=eps)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(boc[0], c.out_channels, 3, padding=1)

    def forward(self, sample: torch.Tensor, timestep, encoder_hidden_states: torch.Tensor,
                added_cond_kwargs: Optional[Dict[str, torch.Tensor]] = None) -> torch.Tensor:
        n = sample.shape[0]
        t = as_timesteps(timestep, n, sample.device)
        emb = self.time_embedding(self.time_proj(t).to(sample.dtype))
        if self.config.addition_embed_type == "text_time":
            if not added_cond_kwargs or "text_embeds" not in added_cond_kwargs or "time_ids" not in added_cond_kwargs:
                raise ValueError("this UNet needs added_cond_kwargs with 'text_embeds' and 'time_ids'")
            time_ids = added_cond_kwargs["time_ids"]
            time_embeds = self.add_time_proj(time_ids.flatten()).reshape(time_ids.shape[0], -1)
            add = torch.cat([added_cond_kwargs["text_embeds"], time_embeds.to(added_cond_kwargs["text_embeds"].dtype)],
                            dim=-1)
            emb = emb + self.add_embedding(add.to(emb.dtype))

        x = run_levels(self.conv_in(sample), self.down_blocks, self.mid_block, self.up_blocks, emb,
                       encoder_hidden_states)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))
