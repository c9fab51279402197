"""The building blocks both diffusion UNets share: SD 1.5 / 2.1 / XL (``unet``) and SVD (``unet_video``).

Timestep embeddings, the ResNet block, down- and up-samplers, the transformer block with its feed-forward, the
level containers (:class:`DownBlock`, :class:`UpBlock`, :class:`MidBlock`), the channel arithmetic of a UNet's
levels and :func:`run_levels`, the walk down, through the middle and back up with skip connections. Each UNet adds
only what is its own (the 2D transformer; the temporal ResNet, transformer and blender). Module and parameter names
follow diffusers, so a diffusers state_dict loads by name; registration order is part of that contract too, since
:func:`construction.materialize` fills random weights in module order.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from .attention import Attention

IntOrTuple = Union[int, Tuple[int, ...]]


class PerBlockConfig:
    """For UNet configs (frozen dataclasses with ``down_block_types``): settings given once or per level."""

    down_block_types: Tuple[str, ...]

    def per_block(self, value: IntOrTuple) -> Tuple[int, ...]:
        """``value`` for each level: a tuple as given, a single number repeated."""
        n = len(self.down_block_types)
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


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
        # Without autograd the SiLU overwrites the norm's fresh output (same values, one full-size tensor fewer
        # alive: the VAE decoder's peak at 768x768 is x, the norm's output and the SiLU's); with autograd it must
        # not, since SiLU's backward reads its input. temb is shared by every resnet: never in place.
        inplace = not torch.is_grad_enabled()
        h = self.conv1(F.silu(self.norm1(x), inplace=inplace))
        if temb is not None and self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h), inplace=inplace)))
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
    """diffusers' ``GELU`` activation module (a linear ``proj`` then GELU)."""

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


# ---------------------------------------------------------------------------------------------- levels
#
# A level's resnets are called ``resnet(x, temb, *extra)`` and its attentions ``attention(x, context, *extra)``;
# ``extra`` is what one UNet adds to every call (SVD: the frame count), nothing for the 2D UNet.

def chained_channels(in_channels: int, out_channels: int, num_layers: int) -> List[Tuple[int, int]]:
    """(input, output) channels of resnets in a chain: the first takes ``in_channels``, the rest their own width."""
    return [(in_channels if i == 0 else out_channels, out_channels) for i in range(num_layers)]


def skip_joined_channels(in_channels: int, prev_output_channel: int, out_channels: int,
                         num_layers: int) -> List[Tuple[int, int]]:
    """(input, output) channels of a decoder level's resnets, each fed its input concatenated with a skip: the first
    continues from the level below (``prev_output_channel``), the last joins the skip of the level above
    (``in_channels``)."""
    return [((prev_output_channel if i == 0 else out_channels) + (in_channels if i == num_layers - 1 else out_channels),
             out_channels) for i in range(num_layers)]


def down_levels(block_out_channels: Sequence[int]) -> List[Tuple[int, int, bool]]:
    """(in_channels, out_channels, add_downsample) of each encoder level; all but the last halve the resolution."""
    boc = list(block_out_channels)
    return [(boc[max(i - 1, 0)], boc[i], i < len(boc) - 1) for i in range(len(boc))]


def up_levels(block_out_channels: Sequence[int]) -> List[Tuple[int, int, int, bool]]:
    """(in_channels, prev_output_channel, out_channels, add_upsample) of each decoder level, deepest first:
    ``in_channels`` is the width of the skip its last resnet joins (the encoder level above's)."""
    rev = list(reversed(block_out_channels))
    return [(rev[min(i + 1, len(rev) - 1)], rev[max(i - 1, 0)], rev[i], i < len(rev) - 1) for i in range(len(rev))]


class DownBlock(nn.Module):
    """An encoder level: ``resnets[i]``, each followed by ``attentions[i]`` where the level has attention, then an
    optional stride-2 ``downsamplers.0``. ``forward`` returns ``x`` and the skip states: one per resnet (after its
    attention) and one after the downsampler."""

    def __init__(self, resnets: List[nn.Module], attentions: Optional[List[nn.Module]] = None,
                 downsample: Optional[int] = None):
        """``downsample``: the channels of the downsampler, None for a level without one."""
        super().__init__()
        self.resnets = nn.ModuleList(resnets)
        self.attentions = nn.ModuleList(attentions) if attentions is not None else None
        self.downsamplers = nn.ModuleList([Downsample2D(downsample)]) if downsample else None

    def forward(self, x, temb, context=None, *extra):
        states = ()
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, temb, *extra)
            if self.attentions is not None:
                x = self.attentions[i](x, context, *extra)
            states += (x,)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            states += (x,)
        return x, states


class UpBlock(nn.Module):
    """A decoder level: ``resnets[i]`` on the input concatenated with the latest skip, each followed by
    ``attentions[i]`` where the level has attention, then an optional nearest-neighbour ``upsamplers.0`` (to
    ``upsample_size`` when given: inputs whose sides do not divide by the UNet's total downsampling)."""

    def __init__(self, resnets: List[nn.Module], attentions: Optional[List[nn.Module]] = None,
                 upsample: Optional[int] = None):
        """``upsample``: the channels of the upsampler, None for a level without one."""
        super().__init__()
        self.resnets = nn.ModuleList(resnets)
        self.attentions = nn.ModuleList(attentions) if attentions is not None else None
        self.upsamplers = nn.ModuleList([Upsample2D(upsample)]) if upsample else None

    def forward(self, x, skips, temb, context=None, upsample_size=None, *extra):
        for i, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips[-1]], dim=1), temb, *extra)
            skips = skips[:-1]
            if self.attentions is not None:
                x = self.attentions[i](x, context, *extra)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x, upsample_size)
        return x


class MidBlock(nn.Module):
    """The lowest resolution: resnet, attention, resnet."""

    def __init__(self, attention: nn.Module, resnets: Tuple[nn.Module, nn.Module]):
        super().__init__()
        self.attentions = nn.ModuleList([attention])
        self.resnets = nn.ModuleList(resnets)

    def forward(self, x, temb=None, context=None, *extra):
        x = self.resnets[0](x, temb, *extra)
        return self.resnets[1](self.attentions[0](x, context, *extra), temb, *extra)


def run_levels(x: torch.Tensor, down_blocks: Sequence[nn.Module], mid_block: nn.Module, up_blocks: Sequence[nn.Module],
               temb: torch.Tensor, context: torch.Tensor, *extra) -> torch.Tensor:
    """A UNet between ``conv_in`` and its output head: down the encoder levels collecting skips (``conv_in``'s output
    ``x`` first), the middle, and back up, each decoder level taking as many skips as it has resnets. When the sides
    of ``x`` do not divide by the total downsampling, each upsampler goes to the size of the skip it meets next."""
    height, width = x.shape[-2:]
    skips = (x,)
    for block in down_blocks:
        x, states = block(x, temb, context, *extra)
        skips += states
    x = mid_block(x, temb, context, *extra)
    factor = 2 ** (len(up_blocks) - 1)
    odd = height % factor != 0 or width % factor != 0
    for i, block in enumerate(up_blocks):
        k = len(block.resnets)
        res, skips = skips[-k:], skips[:-k]
        size = skips[-1].shape[2:] if odd and i < len(up_blocks) - 1 else None
        x = block(x, res, temb, context, size, *extra)
    return x
