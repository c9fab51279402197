"""UNetSpatioTemporalConditionModel (stable-video-diffusion-img2vid-xt) in plain PyTorch.

Each spatial ResNet is followed by a temporal ResNet (3x1x1 convolutions over frames) and each spatial transformer
by a temporal transformer (attention across frames at every pixel), blended by a learned ``AlphaBlender``
(``sigmoid(mix_factor)``; every frame is a video frame, so ``image_only_indicator`` is all zeros). Names follow
diffusers (``down_blocks.0.resnets.0.spatial_res_block.conv1.weight``,
``down_blocks.0.attentions.0.temporal_transformer_blocks.0.ff_in.net.0.proj.weight``, ``time_mixer.mix_factor``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .attention import Attention
from .blocks import (BasicTransformerBlock, DownBlock, FeedForward, IntOrTuple, MidBlock, PerBlockConfig,
                     ResnetBlock2D, TimestepEmbedding, Timesteps, UpBlock, as_timesteps, chained_channels, down_levels,
                     run_levels, skip_joined_channels, up_levels)


@dataclass(frozen=True)
class UNetSpatioTemporalConfig(PerBlockConfig):
    in_channels: int = 8
    out_channels: int = 4
    block_out_channels: Tuple[int, ...] = (320, 640, 1280, 1280)
    down_block_types: Tuple[str, ...] = ("CrossAttnDownBlockSpatioTemporal",) * 3 + ("DownBlockSpatioTemporal",)
    up_block_types: Tuple[str, ...] = ("UpBlockSpatioTemporal",) + ("CrossAttnUpBlockSpatioTemporal",) * 3
    layers_per_block: int = 2
    transformer_layers_per_block: IntOrTuple = 1
    num_attention_heads: IntOrTuple = (5, 10, 20, 20)
    cross_attention_dim: int = 1024
    addition_time_embed_dim: int = 256
    projection_class_embeddings_input_dim: int = 768  # 3 added time ids x addition_time_embed_dim
    num_frames: int = 25
    norm_num_groups: int = 32  # diffusers hard-codes 32; smaller only for tiny configurations


class AlphaBlender(nn.Module):
    """``alpha * spatial + (1 - alpha) * temporal`` with ``alpha = sigmoid(mix_factor)`` (learned_with_images)."""

    def __init__(self, alpha: float = 0.5):
        super().__init__()
        self.alpha = alpha
        self.mix_factor = nn.Parameter(torch.empty(1))

    def init_parameters(self, gen: torch.Generator) -> None:
        self.mix_factor.fill_(self.alpha)

    def forward(self, x_spatial: torch.Tensor, x_temporal: torch.Tensor) -> torch.Tensor:
        alpha = torch.sigmoid(self.mix_factor).to(x_spatial.dtype)
        return alpha * x_spatial + (1.0 - alpha) * x_temporal


class TemporalResnetBlock(nn.Module):
    """ResNet over ``[B, C, F, H, W]`` with (3, 1, 1) convolutions: mixes neighbouring frames only."""

    def __init__(self, channels: int, temb_channels: int, groups: int, eps: float):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, channels, eps=eps)
        self.conv1 = nn.Conv3d(channels, channels, (3, 1, 1), padding=(1, 0, 0))
        self.time_emb_proj = nn.Linear(temb_channels, channels)
        self.norm2 = nn.GroupNorm(groups, channels, eps=eps)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv3d(channels, channels, (3, 1, 1), padding=(1, 0, 0))

    def forward(self, x: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        # temb [B, F, T] → [B, C, F, 1, 1]
        h = h + self.time_emb_proj(F.silu(temb)).permute(0, 2, 1)[:, :, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return x + h


class SpatioTemporalResBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, temb_channels: int, groups: int, eps: float):
        super().__init__()
        self.spatial_res_block = ResnetBlock2D(in_channels, out_channels, temb_channels, groups, eps)
        self.temporal_res_block = TemporalResnetBlock(out_channels, temb_channels, groups, eps)
        self.time_mixer = AlphaBlender(0.5)

    def forward(self, x: torch.Tensor, temb: torch.Tensor, frames: int) -> torch.Tensor:
        x = self.spatial_res_block(x, temb)
        bf, c, h, w = x.shape
        b = bf // frames
        spatial = x.reshape(b, frames, c, h, w).permute(0, 2, 1, 3, 4)
        temporal = self.temporal_res_block(spatial, temb.reshape(b, frames, -1))
        x = self.time_mixer(spatial, temporal)
        return x.permute(0, 2, 1, 3, 4).reshape(bf, c, h, w)


class TemporalBasicTransformerBlock(nn.Module):
    """Attention across frames: tokens ``[B*F, L, C]`` regrouped to ``[B*L, F, C]``."""

    def __init__(self, dim: int, heads: int, dim_head: int, cross_attention_dim: int):
        super().__init__()
        self.norm_in = nn.LayerNorm(dim)
        self.ff_in = FeedForward(dim, dim_out=dim)
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, None, heads, dim_head)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, cross_attention_dim, heads, dim_head)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x: torch.Tensor, frames: int, context: torch.Tensor) -> torch.Tensor:
        bf, seq, c = x.shape
        b = bf // frames
        x = x.reshape(b, frames, seq, c).permute(0, 2, 1, 3).reshape(b * seq, frames, c)
        x = self.ff_in(self.norm_in(x)) + x
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        x = self.ff(self.norm3(x)) + x
        return x.reshape(b, seq, frames, c).permute(0, 2, 1, 3).reshape(bf, seq, c)


class TransformerSpatioTemporalModel(nn.Module):
    def __init__(self, heads: int, dim_head: int, in_channels: int, num_layers: int, cross_attention_dim: int,
                 groups: int):
        super().__init__()
        inner = heads * dim_head
        self.norm = nn.GroupNorm(groups, in_channels, eps=1e-6)
        self.proj_in = nn.Linear(in_channels, inner)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(inner, heads, dim_head, cross_attention_dim) for _ in range(num_layers)])
        self.temporal_transformer_blocks = nn.ModuleList(
            [TemporalBasicTransformerBlock(inner, heads, dim_head, cross_attention_dim) for _ in range(num_layers)])
        self.time_pos_embed = TimestepEmbedding(in_channels, in_channels * 4, out_dim=in_channels)
        self.time_proj = Timesteps(in_channels, True, 0)
        self.time_mixer = AlphaBlender(0.5)
        self.proj_out = nn.Linear(inner, in_channels)

    def forward(self, x: torch.Tensor, context: torch.Tensor, frames: int) -> torch.Tensor:
        bf, c, h, w = x.shape
        b = bf // frames
        # temporal cross-attention context: the first frame's context, repeated for every pixel
        first = context.reshape(b, frames, -1, context.shape[-1])[:, 0]
        time_context = first[:, None].expand(b, h * w, first.shape[-2], first.shape[-1])
        time_context = time_context.reshape(b * h * w, first.shape[-2], first.shape[-1])
        residual = x
        x = self.norm(x).permute(0, 2, 3, 1).reshape(bf, h * w, c)
        x = self.proj_in(x)
        frame_ids = torch.arange(frames, device=x.device).repeat(b)
        emb = self.time_pos_embed(self.time_proj(frame_ids).to(x.dtype))[:, None, :]
        for block, temporal in zip(self.transformer_blocks, self.temporal_transformer_blocks):
            x = block(x, context)
            mixed = temporal(x + emb, frames, time_context)
            x = self.time_mixer(x, mixed)
        x = self.proj_out(x)
        # The residual first, as in unet.Transformer2DModel: a sum takes its first operand's layout, and x is a
        # channels_last view of the tokens; x + residual made every later activation channels_last in a contiguous
        # UNet. Same values: the sum is elementwise either way.
        return residual + x.reshape(bf, h, w, c).permute(0, 3, 1, 2)


# Levels. diffusers builds the resnets of the cross-attention encoder levels with eps 1e-6 and all others with 1e-5.

def _resnets(channels, temb_channels: int, groups: int, eps: float = 1e-5):
    return [SpatioTemporalResBlock(i, o, temb_channels, groups, eps) for i, o in channels]


def _transformers(out_channels: int, num_layers: int, groups: int, heads: int, transformer_layers: int,
                  cross_attention_dim: int):
    return [TransformerSpatioTemporalModel(heads, out_channels // heads, out_channels, transformer_layers,
                                           cross_attention_dim, groups) for _ in range(num_layers)]


class DownBlockSpatioTemporal(DownBlock):
    def __init__(self, in_channels, out_channels, temb_channels, num_layers, add_downsample, groups, **_):
        super().__init__(_resnets(chained_channels(in_channels, out_channels, num_layers), temb_channels, groups),
                         downsample=out_channels if add_downsample else None)


class CrossAttnDownBlockSpatioTemporal(DownBlock):
    def __init__(self, in_channels, out_channels, temb_channels, num_layers, add_downsample, groups, **attention):
        super().__init__(_resnets(chained_channels(in_channels, out_channels, num_layers), temb_channels, groups,
                                  eps=1e-6),
                         _transformers(out_channels, num_layers, groups, **attention),
                         downsample=out_channels if add_downsample else None)


class UpBlockSpatioTemporal(UpBlock):
    def __init__(self, in_channels, prev_output_channel, out_channels, temb_channels, num_layers, add_upsample,
                 groups, **_):
        channels = skip_joined_channels(in_channels, prev_output_channel, out_channels, num_layers)
        super().__init__(_resnets(channels, temb_channels, groups), upsample=out_channels if add_upsample else None)


class CrossAttnUpBlockSpatioTemporal(UpBlock):
    def __init__(self, in_channels, prev_output_channel, out_channels, temb_channels, num_layers, add_upsample,
                 groups, **attention):
        channels = skip_joined_channels(in_channels, prev_output_channel, out_channels, num_layers)
        super().__init__(_resnets(channels, temb_channels, groups),
                         _transformers(out_channels, num_layers, groups, **attention),
                         upsample=out_channels if add_upsample else None)


class UNetMidBlockSpatioTemporal(MidBlock):
    def __init__(self, channels, temb_channels, groups, **attention):
        super().__init__(_transformers(channels, 1, groups, **attention)[0],
                         _resnets(chained_channels(channels, channels, 2), temb_channels, groups))


_DOWN = {"DownBlockSpatioTemporal": DownBlockSpatioTemporal,
         "CrossAttnDownBlockSpatioTemporal": CrossAttnDownBlockSpatioTemporal}
_UP = {"UpBlockSpatioTemporal": UpBlockSpatioTemporal,
       "CrossAttnUpBlockSpatioTemporal": CrossAttnUpBlockSpatioTemporal}


class UNetSpatioTemporalConditionModel(nn.Module):
    """``forward(sample [B,F,8,h,w], timestep, encoder_hidden_states [B,1,1024], added_time_ids [B,3]) → [B,F,4,h,w]``.

    ``added_time_ids`` = (fps - 1, motion_bucket_id, noise_aug_strength) per batch row.
    """

    def __init__(self, config: UNetSpatioTemporalConfig):
        super().__init__()
        c = config
        self.config = c
        boc = c.block_out_channels
        temb = boc[0] * 4
        heads = c.per_block(c.num_attention_heads)
        layers = c.per_block(c.transformer_layers_per_block)
        groups = c.norm_num_groups

        self.conv_in = nn.Conv2d(c.in_channels, boc[0], 3, padding=1)
        self.time_proj = Timesteps(boc[0], True, 0)
        self.time_embedding = TimestepEmbedding(boc[0], temb)
        self.add_time_proj = Timesteps(c.addition_time_embed_dim, True, 0)
        self.add_embedding = TimestepEmbedding(c.projection_class_embeddings_input_dim, temb)

        def attention(level: int) -> dict:
            return dict(heads=heads[level], transformer_layers=layers[level], cross_attention_dim=c.cross_attention_dim)

        self.down_blocks = nn.ModuleList([
            _DOWN[kind](in_channels=in_ch, out_channels=out_ch, temb_channels=temb, num_layers=c.layers_per_block,
                        add_downsample=down, groups=groups, **attention(i))
            for i, (kind, (in_ch, out_ch, down)) in enumerate(zip(c.down_block_types, down_levels(boc)))])
        self.mid_block = UNetMidBlockSpatioTemporal(boc[-1], temb, groups, **attention(-1))
        deepest_first = len(boc) - 1
        self.up_blocks = nn.ModuleList([
            _UP[kind](in_channels=in_ch, prev_output_channel=prev, out_channels=out_ch, temb_channels=temb,
                      num_layers=c.layers_per_block + 1, add_upsample=up, groups=groups,
                      **attention(deepest_first - i))
            for i, (kind, (in_ch, prev, out_ch, up)) in enumerate(zip(c.up_block_types, up_levels(boc)))])

        self.conv_norm_out = nn.GroupNorm(groups, boc[0], eps=1e-5)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(boc[0], c.out_channels, 3, padding=1)

    def forward(self, sample: torch.Tensor, timestep, encoder_hidden_states: torch.Tensor,
                added_time_ids: torch.Tensor) -> torch.Tensor:
        b, frames = sample.shape[:2]
        t = as_timesteps(timestep, b, sample.device)
        emb = self.time_embedding(self.time_proj(t).to(sample.dtype))
        time_embeds = self.add_time_proj(added_time_ids.flatten()).reshape(b, -1).to(emb.dtype)
        emb = emb + self.add_embedding(time_embeds)

        x = sample.flatten(0, 1)
        emb = emb.repeat_interleave(frames, dim=0)
        context = encoder_hidden_states.repeat_interleave(frames, dim=0)

        x = run_levels(self.conv_in(x), self.down_blocks, self.mid_block, self.up_blocks, emb, context, frames)
        x = self.conv_out(self.conv_act(self.conv_norm_out(x)))
        return x.reshape(b, frames, *x.shape[1:])
