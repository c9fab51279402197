"""UNet2DConditionModel (Stable Diffusion 1.5 / 2.1 / XL) in plain PyTorch.

Module and parameter names follow diffusers (``down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight``,
``time_embedding.linear_1.weight``, ``add_embedding.linear_1.weight``...), so a diffusers ``unet`` state_dict
loads by name. Parameter counts equal diffusers' for the public configurations (see ``registry``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from .attention import Attention

IntOrTuple = Union[int, Tuple[int, ...]]


@dataclass(frozen=True)
class UNet2DConfig:
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

    def per_block(self, value: IntOrTuple) -> Tuple[int, ...]:
        n = len(self.down_block_types)
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n

    def heads(self) -> Tuple[int, ...]:
        return self.per_block(self.num_attention_heads if self.num_attention_heads is not None
                              else self.attention_head_dim)


# ---------------------------------------------------------------------------------------------- embeddings

def timestep_embedding(timesteps: torch.Tensor, dim: int, flip_sin_to_cos: bool = True,
                       freq_shift: float = 0.0, max_period: int = 10000) -> torch.Tensor:
    """diffusers' ``get_timestep_embedding``: sinusoids of ``[N]`` timesteps → ``[N, dim]`` float32."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(half, dtype=torch.float32, device=timesteps.device)
    freqs = torch.exp(exponent / (half - freq_shift))
    args = timesteps.float()[:, None] * freqs[None, :]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = F.pad(emb, (0, 1))
    return emb


class Timesteps(nn.Module):
    """Parameter-free sinusoidal projection (diffusers ``Timesteps``)."""

    def __init__(self, dim: int, flip_sin_to_cos: bool = True, freq_shift: float = 0.0):
        super().__init__()
        self.dim, self.flip_sin_to_cos, self.freq_shift = dim, flip_sin_to_cos, freq_shift

    def forward(self, timesteps: torch.Tensor) -> torch.Tensor:
        return timestep_embedding(timesteps, self.dim, self.flip_sin_to_cos, self.freq_shift)


class TimestepEmbedding(nn.Module):
    def __init__(self, in_channels: int, time_embed_dim: int, out_dim: Optional[int] = None):
        super().__init__()
        self.linear_1 = nn.Linear(in_channels, time_embed_dim)
        self.linear_2 = nn.Linear(time_embed_dim, out_dim or time_embed_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.silu(self.linear_1(x)))


def as_timesteps(timestep, batch: int, device) -> torch.Tensor:
    """A 0-d / 1-d tensor or a number → ``[batch]`` tensor on ``device``."""
    if not torch.is_tensor(timestep):
        timestep = torch.tensor([timestep], dtype=torch.float32, device=device)
    elif timestep.dim() == 0:
        timestep = timestep[None]
    return timestep.to(device).expand(batch)


# ---------------------------------------------------------------------------------------------- resnets

class ResnetBlock2D(nn.Module):
    """GroupNorm → SiLU → conv, plus the projected time embedding, twice; 1x1 shortcut when channels change."""

    def __init__(self, in_channels: int, out_channels: int, temb_channels: Optional[int], groups: int = 32,
                 eps: float = 1e-5):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=eps)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, out_channels) if temb_channels else None
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=eps)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x: torch.Tensor, temb: Optional[torch.Tensor] = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        if temb is not None and self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return x + h


class Downsample2D(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor, size: Optional[Sequence[int]] = None) -> torch.Tensor:
        if size is None:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        else:
            x = F.interpolate(x, size=tuple(size), mode="nearest")
        return self.conv(x)


# ---------------------------------------------------------------------------------------------- transformers

class GEGLU(nn.Module):
    def __init__(self, dim_in: int, dim_out: int):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out * 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class GELUProj(nn.Module):
    """diffusers' ``GELU`` activation module (a linear ``proj`` then GELU), used by the temporal feed-forwards."""

    def __init__(self, dim_in: int, dim_out: int):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.proj(x))


class FeedForward(nn.Module):
    """``net.0`` activation-with-projection, ``net.1`` dropout, ``net.2`` output linear (diffusers names)."""

    def __init__(self, dim: int, dim_out: Optional[int] = None, mult: int = 4, activation: str = "geglu"):
        super().__init__()
        inner = dim * mult
        act = GEGLU(dim, inner) if activation == "geglu" else GELUProj(dim, inner)
        self.net = nn.ModuleList([act, nn.Dropout(0.0), nn.Linear(inner, dim_out or dim)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.net:
            x = layer(x)
        return x


class BasicTransformerBlock(nn.Module):
    """Self-attention, cross-attention, GEGLU feed-forward, each pre-LayerNorm with a residual."""

    def __init__(self, dim: int, heads: int, dim_head: int, cross_attention_dim: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, None, heads, dim_head)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, cross_attention_dim, heads, dim_head)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


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
        return x + residual


# ---------------------------------------------------------------------------------------------- blocks

class DownBlock2D(nn.Module):
    has_cross_attention = False

    def __init__(self, in_channels: int, out_channels: int, temb_channels: int, num_layers: int,
                 add_downsample: bool, groups: int, eps: float, **_):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(in_channels if i == 0 else out_channels, out_channels,
                                                    temb_channels, groups, eps) for i in range(num_layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(out_channels)]) if add_downsample else None

    def forward(self, x, temb, context=None):
        states = ()
        for resnet in self.resnets:
            x = resnet(x, temb)
            states += (x,)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            states += (x,)
        return x, states


class CrossAttnDownBlock2D(nn.Module):
    has_cross_attention = True

    def __init__(self, in_channels: int, out_channels: int, temb_channels: int, num_layers: int,
                 add_downsample: bool, groups: int, eps: float, heads: int, transformer_layers: int,
                 cross_attention_dim: int, use_linear_projection: bool):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(in_channels if i == 0 else out_channels, out_channels,
                                                    temb_channels, groups, eps) for i in range(num_layers)])
        self.attentions = nn.ModuleList([
            Transformer2DModel(heads, out_channels // heads, out_channels, transformer_layers, cross_attention_dim,
                               use_linear_projection, groups) for _ in range(num_layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(out_channels)]) if add_downsample else None

    def forward(self, x, temb, context=None):
        states = ()
        for resnet, attn in zip(self.resnets, self.attentions):
            x = attn(resnet(x, temb), context)
            states += (x,)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            states += (x,)
        return x, states


class UpBlock2D(nn.Module):
    has_cross_attention = False

    def __init__(self, in_channels: int, prev_output_channel: int, out_channels: int, temb_channels: int,
                 num_layers: int, add_upsample: bool, groups: int, eps: float, **_):
        super().__init__()
        self.resnets = nn.ModuleList([
            ResnetBlock2D((prev_output_channel if i == 0 else out_channels)
                          + (in_channels if i == num_layers - 1 else out_channels),
                          out_channels, temb_channels, groups, eps) for i in range(num_layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(out_channels)]) if add_upsample else None

    def forward(self, x, skips, temb, context=None, upsample_size=None):
        for resnet in self.resnets:
            x = resnet(torch.cat([x, skips[-1]], dim=1), temb)
            skips = skips[:-1]
        if self.upsamplers is not None:
            x = self.upsamplers[0](x, upsample_size)
        return x


class CrossAttnUpBlock2D(nn.Module):
    has_cross_attention = True

    def __init__(self, in_channels: int, prev_output_channel: int, out_channels: int, temb_channels: int,
                 num_layers: int, add_upsample: bool, groups: int, eps: float, heads: int, transformer_layers: int,
                 cross_attention_dim: int, use_linear_projection: bool):
        super().__init__()
        self.resnets = nn.ModuleList([
            ResnetBlock2D((prev_output_channel if i == 0 else out_channels)
                          + (in_channels if i == num_layers - 1 else out_channels),
                          out_channels, temb_channels, groups, eps) for i in range(num_layers)])
        self.attentions = nn.ModuleList([
            Transformer2DModel(heads, out_channels // heads, out_channels, transformer_layers, cross_attention_dim,
                               use_linear_projection, groups) for _ in range(num_layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(out_channels)]) if add_upsample else None

    def forward(self, x, skips, temb, context=None, upsample_size=None):
        for resnet, attn in zip(self.resnets, self.attentions):
            x = resnet(torch.cat([x, skips[-1]], dim=1), temb)
            skips = skips[:-1]
            x = attn(x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x, upsample_size)
        return x


class UNetMidBlock2DCrossAttn(nn.Module):
    def __init__(self, channels: int, temb_channels: int, groups: int, eps: float, heads: int,
                 transformer_layers: int, cross_attention_dim: int, use_linear_projection: bool):
        super().__init__()
        self.attentions = nn.ModuleList([Transformer2DModel(heads, channels // heads, channels, transformer_layers,
                                                            cross_attention_dim, use_linear_projection, groups)])
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels, temb_channels, groups, eps)
                                      for _ in range(2)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        return self.resnets[1](self.attentions[0](x, context), temb)


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

        self.down_blocks = nn.ModuleList()
        out_ch = boc[0]
        for i, kind in enumerate(c.down_block_types):
            in_ch, out_ch = out_ch, boc[i]
            self.down_blocks.append(_DOWN[kind](
                in_channels=in_ch, out_channels=out_ch, temb_channels=temb, num_layers=c.layers_per_block,
                add_downsample=i < len(boc) - 1, groups=groups, eps=eps, heads=heads[i],
                transformer_layers=layers[i], cross_attention_dim=c.cross_attention_dim,
                use_linear_projection=c.use_linear_projection))

        self.mid_block = UNetMidBlock2DCrossAttn(boc[-1], temb, groups, eps, heads[-1], layers[-1],
                                                 c.cross_attention_dim, c.use_linear_projection)

        self.up_blocks = nn.ModuleList()
        rev, rev_heads, rev_layers = list(reversed(boc)), list(reversed(heads)), list(reversed(layers))
        out_ch = rev[0]
        for i, kind in enumerate(c.up_block_types):
            prev, out_ch = out_ch, rev[i]
            in_ch = rev[min(i + 1, len(boc) - 1)]
            self.up_blocks.append(_UP[kind](
                in_channels=in_ch, prev_output_channel=prev, out_channels=out_ch, temb_channels=temb,
                num_layers=c.layers_per_block + 1, add_upsample=i < len(boc) - 1, groups=groups, eps=eps,
                heads=rev_heads[i], transformer_layers=rev_layers[i], cross_attention_dim=c.cross_attention_dim,
                use_linear_projection=c.use_linear_projection))

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

        x = self.conv_in(sample)
        skips = (x,)
        for block in self.down_blocks:
            x, states = block(x, emb, encoder_hidden_states)
            skips += states
        x = self.mid_block(x, emb, encoder_hidden_states)
        upsample_factor = 2 ** (len(self.up_blocks) - 1)
        odd = any(s % upsample_factor != 0 for s in sample.shape[-2:])
        for i, block in enumerate(self.up_blocks):
            k = len(block.resnets)
            res, skips = skips[-k:], skips[:-k]
            size = skips[-1].shape[2:] if odd and i < len(self.up_blocks) - 1 else None
            x = block(x, res, emb, encoder_hidden_states, size)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))
